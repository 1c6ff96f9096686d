import { anyOf, type Db } from '@cx/platform';
import { sql } from 'drizzle-orm';
import { customers, resolutionKeys } from '../db/schema.ts';

/**
 * Locks these resolution keys until the transaction ends: their rows are inserted where missing
 * (another batch inserting the same key waits for this one to end), then locked. Both statements
 * go in hash order, so two batches sharing keys wait for each other instead of deadlocking.
 */
export async function claimResolutionKeys(db: Db, keys: readonly string[]): Promise<void> {
  if (keys.length === 0) return;
  const hashes = sql`select distinct hashtextextended(k, 0) as h
    from json_array_elements_text(${JSON.stringify(keys)}::text::json) k`;
  await db.execute(
    sql`insert into ${resolutionKeys} (key_hash) select h from (${hashes}) k order by h on conflict do nothing`,
  );
  await db.execute(
    sql`select key_hash from ${resolutionKeys} where key_hash in (${hashes}) order by key_hash for update`,
  );
}

/** Locks these customers' rows in id order and reads what resolution needs of them. */
export async function lockCustomers(db: Db, ids: readonly string[]) {
  if (ids.length === 0) return [];
  return db
    .select({ id: customers.id, createdAt: customers.createdAt, mergedInto: customers.mergedInto })
    .from(customers)
    .where(anyOf(customers.id, ids))
    .orderBy(customers.id)
    .for('update');
}
