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
  return db.transaction(async (tx) => {
    const inserted = await tx
      .insert(tables.inbox)
      .values({ consumer, eventId: event.id })
      .onConflictDoNothing()
      .returning({ eventId: tables.inbox.eventId });
    if (inserted.length === 0) return false;
    await apply(tx);
    return true;
  });
}
