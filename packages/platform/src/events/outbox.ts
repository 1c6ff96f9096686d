import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  index,
  jsonb,
  type PgSchema,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import type { Db } from '../db.ts';
import type { DomainEvent } from './types.ts';

/**
 * Each subgraph's outbox lives in its own schema. `position` is null at insert and assigned after
 * commit by one relay under an advisory lock, gap-free and in commit order; ids are never cursors.
 */
export function defineOutbox(schema: PgSchema) {
  const outbox = schema.table(
    'event_outbox',
    {
      id: bigserial('id', { mode: 'number' }).primaryKey(),
      // Random and never looked up here (consumers dedupe in their inbox): no index, which would
      // cost every event two entries on random pages (its insert and its positioning update).
      eventId: uuid('event_id').notNull().default(sql`gen_random_uuid()`),
      topic: text('topic').notNull(),
      key: text('key').notNull(),
      payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
      createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
      position: bigint('position', { mode: 'number' }).unique(),
    },
    (t) => [index('event_outbox_unpositioned_idx').on(t.id).where(sql`position is null`)],
  );
  /** How far the relay has handed events to the bus. */
  const relayState = schema.table('event_relay_state', {
    name: text('name').primaryKey(),
    publishedPosition: bigint('published_position', { mode: 'number' }).notNull().default(0),
  });
  /** Events this subgraph has consumed, so each is handled once however often it is delivered. */
  const inbox = schema.table(
    'event_inbox',
    {
      consumer: text('consumer').notNull(),
      eventId: uuid('event_id').notNull(),
      handledAt: timestamp('handled_at', { withTimezone: true }).notNull().defaultNow(),
    },
    (t) => [uniqueIndex('event_inbox_consumer_event_uq').on(t.consumer, t.eventId)],
  );
  return { outbox, relayState, inbox };
}

export type OutboxTables = ReturnType<typeof defineOutbox>;

export interface NewEvent {
  topic: string;
  key: string;
  payload: Record<string, unknown>;
}

/** Call inside the transaction that makes the change, so the event exists exactly when the change does. */
export async function publishEvents(tx: Db, tables: OutboxTables, events: NewEvent[]): Promise<void> {
  if (events.length === 0) return;
  await tx.insert(tables.outbox).values(events);
}

export function toDomainEvent(source: string, row: OutboxTables['outbox']['$inferSelect']): DomainEvent {
  return {
    id: row.eventId,
    topic: row.topic,
    key: row.key,
    payload: row.payload,
    source,
    position: row.position ?? 0,
    occurredAt: row.createdAt.toISOString(),
  };
}
