import { anyOf, type Db } from '@cx/platform';
import { sql } from 'drizzle-orm';
import { customers, resolutionKeys } from '../db/schema.ts';

/**
 * Locks these resolution keys until the transaction ends. Missing rows are inserted, in hash
 * order: a row this transaction inserted is locked by that insert already (another batch's insert
 * of the same key waits for this one to end, and no other transaction sees the row before), so
 * only the rows that existed are then locked `FOR UPDATE`, in hash order too. Two batches sharing
 * keys therefore wait for each other instead of deadlocking, and a batch of new people writes no
 * lock to the rows it just created.
 */
export async function claimResolutionKeys(db: Db, keys: readonly string[]): Promise<void> {
  if (keys.length === 0) return;
  const hashes = sql`select distinct hashtextextended(k, 0) as h
    from json_array_elements_text(${JSON.stringify(keys)}::text::json) k`;
  const inserted = await db
    .insert(resolutionKeys)
    .select(sql`select h from (${hashes}) k order by h`)
    .onConflictDoNothing()
    .returning({ keyHash: resolutionKeys.keyHash });
  if (inserted.length === new Set(keys).size) return;
  // A new statement, so a key another batch inserted while this insert waited for it is seen.
  await db.execute(
    sql`select key_hash from ${resolutionKeys} where key_hash in (${hashes})
      and key_hash <> all(${`{${inserted.map((r) => r.keyHash).join(',')}}`}::bigint[])
      order by key_hash for update`,
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
