import type { Db } from '../db.ts';
import type { OutboxTables } from './outbox.ts';
import type { DomainEvent } from './types.ts';

/**
 * Runs `apply` for an event at most once per consumer: the inbox row and the consumer's own
 * writes commit together, so a redelivered event finds its row and is skipped.
 */
export async function handleOnce(
  db: Db,
  tables: OutboxTables,
  consumer: string,
  event: DomainEvent,
  apply: (tx: Db) => Promise<void>,
): Promise<boolean> {
  return (await handleOnceBatch(db, tables, consumer, [event], (tx) => apply(tx))) === 1;
}

/**
 * handleOnce for a run of events in one transaction: one inbox insert for all of them, then
 * `apply` for each event not handled before, in order. Any failure rolls back the whole run
 * (the bus then retries the events one by one). Returns how many events were applied.
 */
export async function handleOnceBatch(
  db: Db,
  tables: OutboxTables,
  consumer: string,
  events: readonly DomainEvent[],
  apply: (tx: Db, event: DomainEvent) => Promise<void>,
): Promise<number> {
  if (events.length === 0) return 0;
  return db.transaction(async (tx) => {
    const inserted = await tx
      .insert(tables.inbox)
      .values(events.map((e) => ({ consumer, eventId: e.id })))
      .onConflictDoNothing()
      .returning({ eventId: tables.inbox.eventId });
    // Postgres answers uuids lower-cased; an id twice in the run is applied once.
    const fresh = new Set(inserted.map((r) => r.eventId.toLowerCase()));
    let applied = 0;
    for (const event of events) {
      if (!fresh.delete(event.id.toLowerCase())) continue;
      await apply(tx, event);
      applied += 1;
    }
    return applied;
  });
}
