import { anyOf, type Db, unnestRows } from '@cx/platform';
import { type CustomerEventRow, customerEvents } from '../db/schema.ts';

export async function findEventsByIds(db: Db, eventIds: readonly string[]): Promise<CustomerEventRow[]> {
  if (eventIds.length === 0) return [];
  return db.select().from(customerEvents).where(anyOf(customerEvents.eventId, eventIds));
}

export async function insertEvents(
  db: Db,
  rows: Omit<typeof customerEvents.$inferInsert, 'createdAt'>[],
  now: Date,
): Promise<void> {
  if (rows.length === 0) return;
  // A concurrent re-send of the same event id is a no-op, not an error.
  await db
    .insert(customerEvents)
    .select(unnestRows(customerEvents, rows, { createdAt: now }))
    .onConflictDoNothing();
}
