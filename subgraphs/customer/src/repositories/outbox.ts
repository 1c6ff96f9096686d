import { type Db, event, type NewEvent, unnestRows } from '@cx/platform';
import { eventTables } from '../db/schema.ts';

/**
 * Writes events to the customer outbox, inside the caller's transaction, so an event exists
 * exactly when its change does; the platform relay publishes them after commit.
 */
export async function publish(db: Db, events: NewEvent[]): Promise<void> {
  if (events.length === 0) return;
  // Same rows as the platform's publishEvents, as one unnest insert: an ingest batch writes thousands.
  await db.insert(eventTables.outbox).select(unnestRows(eventTables.outbox, events));
}

/** Other subgraphs keep alias maps from these: a survivor's references include the merged ids. */
export const customerMerged = (m: { id: string; survivorId: string; mergedId: string }) =>
  event('customer.merged', m.survivorId, { mergeId: m.id, survivorId: m.survivorId, mergedId: m.mergedId });

export const customerUnmerged = (m: { id: string; survivorId: string; mergedId: string }) =>
  event('customer.unmerged', m.mergedId, { mergeId: m.id, survivorId: m.survivorId, restoredId: m.mergedId });
