import { type Db, type EventTopics, event, publishEvents, type Topic } from '@cx/platform';
import { eventTables } from '../db/schema.ts';

/** Writes one domain event to sales' event outbox, inside the caller's transaction. */
export function publishSalesEvent<T extends Topic>(tx: Db, topic: T, key: string, payload: EventTopics[T]) {
  return publishEvents(tx, eventTables, [event(topic, key, payload)]);
}
