import { type Db, deleteRows, ERASED_TEXT, scrubRows, subgraphNames } from '@cx/platform';
import { and, eq, inArray, isNull, or } from 'drizzle-orm';
import {
  consentHistory,
  consents,
  customerEvents,
  customerFacts,
  customers,
  dealerRelationships,
  type ErasureRow,
  type ErasureStepRow,
  erasureSteps,
  erasures,
  identities,
  mergeRecords,
  sourceRecords,
  tags,
} from '../db/schema.ts';

export async function findErasuresByCustomers(db: Db, customerIds: readonly string[]): Promise<ErasureRow[]> {
  if (customerIds.length === 0) return [];
  return db
    .select()
    .from(erasures)
    .where(inArray(erasures.customerId, [...customerIds]));
}

export async function findStepsByErasures(db: Db, erasureIds: readonly string[]): Promise<ErasureStepRow[]> {
  if (erasureIds.length === 0) return [];
  return db
    .select()
    .from(erasureSteps)
    .where(inArray(erasureSteps.erasureId, [...erasureIds]))
    .orderBy(erasureSteps.subgraph);
}

/** Records the erasure and one step per subgraph; the customer subgraph's own step is done at once. */
export async function insertErasure(
  db: Db,
  row: typeof erasures.$inferInsert & { requestedAt: Date },
): Promise<ErasureRow> {
  const [erasure] = await db.insert(erasures).values(row).returning();
  await db.insert(erasureSteps).values(
    subgraphNames.map((subgraph) => ({
      erasureId: erasure!.id,
      subgraph,
      completedAt: subgraph === 'customer' ? row.requestedAt : null,
    })),
  );
  return erasure!;
}

/** A subgraph reported its part done ('customer.erasure_completed'); a repeat keeps the first time. */
export async function completeErasureStep(
  db: Db,
  erasureId: string,
  subgraph: string,
  at: Date,
): Promise<void> {
  await db
    .update(erasureSteps)
    .set({ completedAt: at })
    .where(
      and(
        eq(erasureSteps.erasureId, erasureId),
        eq(erasureSteps.subgraph, subgraph),
        isNull(erasureSteps.completedAt),
      ),
    );
}

/**
 * Removes or anonymizes everything the customer subgraph holds about these customers (a merge
 * tree): profiles keep only their id, identities and source records (which could re-match a
 * later record) are deleted, as are tags, behavior events, consents, facts and dealer
 * relationships; consent history rows stay as evidence with their free-text note removed; merge
 * ledger rows stay with their evidence and moved keys (phone numbers, ID hashes) removed.
 */
export async function eraseCustomerRows(db: Db, ids: string[], at: Date): Promise<Record<string, number>> {
  const ledger = or(inArray(mergeRecords.survivorId, ids), inArray(mergeRecords.mergedId, ids));
  const merges = await db
    .update(mergeRecords)
    .set({ evidence: { erased: true }, movedIdentities: [], movedSourceRecords: [] })
    .where(ledger)
    .returning({ id: mergeRecords.id });
  return {
    customers: await scrubRows(db, customers, customers.id, ids, {
      displayName: ERASED_TEXT,
      phone: null,
      email: null,
      nationalIdCipher: null,
      nationalIdLast4: null,
      gender: null,
      birthDate: null,
      city: null,
      province: null,
      preferredDealerCode: null,
      erasedAt: at,
      updatedAt: at,
    }),
    identities: await deleteRows(db, identities, identities.customerId, ids),
    source_records: await deleteRows(db, sourceRecords, sourceRecords.customerId, ids),
    tags: await deleteRows(db, tags, tags.customerId, ids),
    consents: await deleteRows(db, consents, consents.customerId, ids),
    customer_events: await deleteRows(db, customerEvents, customerEvents.customerId, ids),
    customer_facts: await deleteRows(db, customerFacts, customerFacts.customerId, ids),
    dealer_relationships: await deleteRows(db, dealerRelationships, dealerRelationships.customerId, ids),
    consent_history: await scrubRows(db, consentHistory, consentHistory.customerId, ids, { note: null }),
    merge_records: merges.length,
  };
}
