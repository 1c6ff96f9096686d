import { anyOf, type Db, fromExcluded, insertRows, unnestRows, uuidv7 } from '@cx/platform';
import { and, sql } from 'drizzle-orm';
import { type ConsentPurpose, consentHistory, consents, type Source } from '../db/schema.ts';

export async function findDirectStatements(db: Db, customerIds: readonly string[]) {
  if (customerIds.length === 0) return [];
  return (
    db
      .select()
      .from(consentHistory)
      // The origin as a literal, not a parameter, so that even a generic plan of the prepared
      // statement can use the partial index consent_history_direct_idx.
      .where(and(anyOf(consentHistory.customerId, customerIds), sql`${consentHistory.origin} = 'DIRECT'`))
  );
}

export async function findCurrentConsents(db: Db, customerIds: readonly string[]) {
  if (customerIds.length === 0) return [];
  return db.select().from(consents).where(anyOf(consents.customerId, customerIds));
}

export interface ConsentState {
  customerId: string;
  purpose: ConsentPurpose;
  granted: boolean;
  source: Source;
}

/** States of customers in `fresh` (created in the caller's transaction) go in as a plain insert. */
export async function upsertConsentStates(
  db: Db,
  rows: ConsentState[],
  now: Date,
  fresh?: ReadonlySet<string>,
): Promise<void> {
  await insertRows(
    db,
    consents,
    rows,
    fresh && ((r) => fresh.has(r.customerId)),
    (rest) =>
      db
        .insert(consents)
        .select(rest)
        .onConflictDoUpdate({
          target: [consents.customerId, consents.purpose],
          set: fromExcluded(consents, ['granted', 'source', 'updatedAt']),
        }),
    { createdAt: now, updatedAt: now },
  );
}

export async function deleteConsentStates(
  db: Db,
  rows: { customerId: string; purpose: ConsentPurpose }[],
): Promise<void> {
  if (rows.length === 0) return;
  const values = sql.join(
    rows.map((r) => sql`(${r.customerId}::uuid, ${r.purpose}::customer.consent_purpose)`),
    sql`, `,
  );
  await db.delete(consents).where(sql`(${consents.customerId}, ${consents.purpose}) in (${values})`);
}

/** Merged-away customers hold no consent of their own: their survivor's state covers them. */
export async function deleteConsentsOf(db: Db, customerIds: readonly string[]): Promise<void> {
  if (customerIds.length === 0) return;
  await db.delete(consents).where(anyOf(consents.customerId, customerIds));
}

export async function insertConsentHistory(
  db: Db,
  rows: (typeof consentHistory.$inferInsert)[],
): Promise<void> {
  if (rows.length === 0) return;
  // Time-ordered ids append to the primary key's last page; a batch writes ~1,800 of these rows.
  const at = Date.now();
  await db.insert(consentHistory).select(
    unnestRows(
      consentHistory,
      // Object.assign, not `{ ...r, id }`: see unnestRows on spreads.
      rows.map((r) => Object.assign({}, r, { id: r.id ?? uuidv7(at) })),
    ),
  );
}
