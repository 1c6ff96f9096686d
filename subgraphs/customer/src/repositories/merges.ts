import { anyOf, type Db } from '@cx/platform';
import { and, eq, gt, isNull, ne, or, type SQL, sql } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import {
  customers,
  type IdentityKey,
  identities,
  type MergeRecordRow,
  mergeRecords,
  type SourceRecordKey,
  sourceRecords,
} from '../db/schema.ts';

/**
 * Merges, unmerges and everything derived per merge tree (consents, tags) change who owns which
 * keys or read those trees: such a transaction holds the identity graph exclusively, so no tag is
 * derived from a tree that a concurrent merge is reshaping. Ingest batches hold it shared and lock
 * only their own keys and customers (resolutionLocks.ts), so they run side by side.
 */
export async function lockIdentityGraph(db: Db, mode: 'exclusive' | 'shared' = 'exclusive'): Promise<void> {
  await db.execute(
    mode === 'shared'
      ? sql`select pg_advisory_xact_lock_shared(hashtext('customer.identity_graph'))`
      : sql`select pg_advisory_xact_lock(hashtext('customer.identity_graph'))`,
  );
}

export async function findMergesByIds(db: Db, ids: readonly string[]): Promise<MergeRecordRow[]> {
  if (ids.length === 0) return [];
  return db.select().from(mergeRecords).where(anyOf(mergeRecords.id, ids));
}

export async function insertMergeRecords(
  db: Db,
  rows: (typeof mergeRecords.$inferInsert)[],
): Promise<MergeRecordRow[]> {
  if (rows.length === 0) return [];
  return db.insert(mergeRecords).values(rows).returning();
}

/**
 * Later merges that still stand and moved something this merge brought in (its survivor was
 * merged away, or its keys moved on): undoing this one first would tear their ledger apart.
 */
export async function findDependentMerges(db: Db, merge: MergeRecordRow): Promise<MergeRecordRow[]> {
  const overlaps = (column: PgColumn, keys: unknown[]) =>
    keys.length === 0
      ? undefined
      : sql`exists (select 1 from jsonb_array_elements(${JSON.stringify(keys)}::jsonb) e where ${column} @> jsonb_build_array(e.value))`;
  return db
    .select()
    .from(mergeRecords)
    .where(
      and(
        isNull(mergeRecords.undoneAt),
        gt(mergeRecords.seq, merge.seq),
        or(
          eq(mergeRecords.mergedId, merge.survivorId),
          overlaps(mergeRecords.movedSourceRecords, merge.movedSourceRecords),
          overlaps(mergeRecords.movedIdentities, merge.movedIdentities),
        ),
      ),
    )
    .orderBy(mergeRecords.seq);
}

/** Standing merge edges (merged -> survivor) for these customers, except the one being undone. */
export async function findStandingEdges(db: Db, mergedIds: readonly string[], except: string) {
  if (mergedIds.length === 0) return [];
  return db
    .select({ mergedId: mergeRecords.mergedId, survivorId: mergeRecords.survivorId })
    .from(mergeRecords)
    .where(
      and(
        anyOf(mergeRecords.mergedId, mergedIds),
        isNull(mergeRecords.undoneAt),
        ne(mergeRecords.id, except),
      ),
    );
}

export async function markMergeUndone(db: Db, id: string, at: Date, by: string): Promise<MergeRecordRow> {
  const [row] = await db
    .update(mergeRecords)
    .set({ undoneAt: at, undoneBy: by })
    .where(eq(mergeRecords.id, id))
    .returning();
  return row!;
}

const keyValues = <T>(keys: T[], row: (k: T) => SQL) =>
  sql.join(
    keys.map((k) => row(k)),
    sql`, `,
  );

/** Hands source records (by natural key) from one customer to another. */
export async function moveSourceRecords(
  db: Db,
  keys: SourceRecordKey[],
  from: string,
  to: string,
): Promise<void> {
  if (keys.length === 0) return;
  const values = keyValues(keys, (k) => sql`(${k.source}::customer.source, ${k.externalId})`);
  await db
    .update(sourceRecords)
    .set({ customerId: to })
    .where(
      and(
        eq(sourceRecords.customerId, from),
        sql`(${sourceRecords.source}, ${sourceRecords.externalId}) in (${values})`,
      ),
    );
}

/** Hands identities (by natural key) from one customer to another. */
export async function moveIdentities(db: Db, keys: IdentityKey[], from: string, to: string): Promise<void> {
  if (keys.length === 0) return;
  const values = keyValues(
    keys,
    (k) => sql`(${k.kind}::customer.identity_kind, ${k.source}::customer.source, ${k.valueKey})`,
  );
  await db
    .update(identities)
    .set({ customerId: to })
    .where(
      and(
        eq(identities.customerId, from),
        sql`(${identities.kind}, ${identities.source}, ${identities.valueKey}) in (${values})`,
      ),
    );
}

/** Sets where each customer resolves to (null: to itself), in one statement. */
export async function setMergedInto(
  db: Db,
  rows: { id: string; mergedInto: string | null }[],
): Promise<void> {
  if (rows.length === 0) return;
  const values = keyValues(rows, (r) => sql`(${r.id}::uuid, ${r.mergedInto}::uuid)`);
  await db.execute(
    sql`update ${customers} set merged_into = m.target from (values ${values}) as m(origin, target) where ${customers.id} = m.origin`,
  );
}
