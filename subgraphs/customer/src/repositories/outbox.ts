import { type Db, event, type NewEvent, publishEvents } from '@cx/platform';
import { eventTables } from '../db/schema.ts';

/**
 * Writes events to the customer outbox, inside the caller's transaction, so an event exists
 * exactly when its change does; the platform relay publishes them after commit.
 */
export async function publish(db: Db, events: NewEvent[]): Promise<void> {
  await publishEvents(db, eventTables, events);
}

/** Other subgraphs keep alias maps from these: a survivor's references include the merged ids. */
export const customerMerged = (m: { id: string; survivorId: string; mergedId: string }) =>
  event('customer.merged', m.survivorId, { mergeId: m.id, survivorId: m.survivorId, mergedId: m.mergedId });

export const customerUnmerged = (m: { id: string; survivorId: string; mergedId: string }) =>
  event('customer.unmerged', m.mergedId, { mergeId: m.id, survivorId: m.survivorId, restoredId: m.mergedId });
