import {
  anyOf,
  columnCastType,
  type Db,
  driverValues,
  fromExcluded,
  insertRows,
  unnestRows,
} from '@cx/platform';
import { and, eq, or, sql } from 'drizzle-orm';
import {
  customers,
  type IdentityKey,
  identities,
  type SourceRecordKey,
  type SourceRecordRow,
  sourceRecords,
} from '../db/schema.ts';
import { identityKeyOf } from '../ingest/identities.ts';
import type { Profile } from '../ingest/survivorship.ts';

/**
 * The stored records with these keys, by the whole key (source, external_id), so each is one probe
 * of the primary key: `external_id = any(...)` alone cannot use the key's leading column and read
 * the whole index (354 ms per ingest batch at a million customers, growing with every record).
 */
export function sourceRecordsByKeys(db: Db, keys: readonly SourceRecordKey[]) {
  // Sources travel as text[], cast in SQL: PGlite cannot serialize an array of an enum type.
  const sources = sql.param(
    driverValues(
      sourceRecords.source,
      keys.map((k) => k.source),
    ),
  );
  const externalIds = sql.param(keys.map((k) => k.externalId));
  return db
    .select()
    .from(sourceRecords)
    .where(
      sql`(${sourceRecords.source}, ${sourceRecords.externalId}) in (select * from unnest(${sources}::text[]::${sql.raw(columnCastType(sourceRecords.source))}[], ${externalIds}::text[]))`,
    );
}

export async function findSourceRecordsByKeys(
  db: Db,
  keys: readonly SourceRecordKey[],
): Promise<SourceRecordRow[]> {
  return keys.length === 0 ? [] : sourceRecordsByKeys(db, keys);
}

export async function findSourceRecordsByCustomerIds(
  db: Db,
  ids: readonly string[],
): Promise<SourceRecordRow[]> {
  if (ids.length === 0) return [];
  return db.select().from(sourceRecords).where(anyOf(sourceRecords.customerId, ids));
}

/** Identities that may resolve a record to an existing customer: verified phones and ID hashes. */
export async function findMatchingIdentities(db: Db, keys: { phones: string[]; idHashes: string[] }) {
  if (keys.phones.length === 0 && keys.idHashes.length === 0) return [];
  return db
    .select({ kind: identities.kind, valueKey: identities.valueKey, customerId: identities.customerId })
    .from(identities)
    .where(
      or(
        keys.phones.length
          ? and(
              eq(identities.kind, 'PHONE'),
              eq(identities.verified, true),
              anyOf(identities.valueKey, keys.phones),
            )
          : undefined,
        keys.idHashes.length
          ? and(eq(identities.kind, 'NATIONAL_ID'), anyOf(identities.valueKey, keys.idHashes))
          : undefined,
      ),
    );
}

export async function findIdentityKeysByCustomerIds(db: Db, ids: readonly string[]) {
  if (ids.length === 0) return [];
  return db
    .select({
      customerId: identities.customerId,
      kind: identities.kind,
      source: identities.source,
      valueKey: identities.valueKey,
    })
    .from(identities)
    .where(anyOf(identities.customerId, ids));
}

export interface CustomerUpsert extends Profile {
  id: string;
  mergedInto: string | null;
}

/**
 * New customers are inserted and existing ones get their re-derived profile, in one statement;
 * ids in `created` (made in the caller's transaction, not yet stored) in a second, plain insert.
 */
export async function upsertCustomers(
  db: Db,
  rows: CustomerUpsert[],
  now: Date,
  created?: ReadonlySet<string>,
): Promise<void> {
  await insertRows(
    db,
    customers,
    rows,
    created && ((r) => created.has(r.id)),
    (rest) =>
      db
        .insert(customers)
        .select(rest)
        .onConflictDoUpdate({
          target: customers.id,
          set: fromExcluded(customers, [
            'displayName',
            'phone',
            'email',
            'nationalIdCipher',
            'nationalIdLast4',
            'gender',
            'birthDate',
            'city',
            'province',
            'mergedInto',
            'updatedAt',
          ]),
        }),
    { createdAt: now, updatedAt: now },
  );
}

type SourceRecordUpsert = Omit<SourceRecordRow, 'id' | 'createdAt' | 'updatedAt'> & { updatedAt: Date };

/** `isNew`: rows the caller knows are not stored (read under the identity-graph lock) go in as a plain insert. */
export async function upsertSourceRecords(
  db: Db,
  rows: SourceRecordUpsert[],
  isNew?: (row: SourceRecordUpsert) => boolean,
): Promise<void> {
  await insertRows(db, sourceRecords, rows, isNew, (rest) =>
    db
      .insert(sourceRecords)
      .select(rest)
      .onConflictDoUpdate({
        target: [sourceRecords.source, sourceRecords.externalId],
        set: fromExcluded(sourceRecords, ['customerId', 'payload', 'payloadHash', 'observedAt', 'updatedAt']),
      }),
  );
}

export interface IdentityUpsert extends IdentityKey {
  customerId: string;
  display: string;
  verified: boolean;
}

/**
 * One row per identity key, as ON CONFLICT DO UPDATE cannot touch a row twice in one statement:
 * two records of a batch may carry the same phone or email from the same source. The later
 * record's owner and display win, as they would one call after another; verified if any is.
 */
function oneRowPerKey(rows: IdentityUpsert[]): IdentityUpsert[] {
  const byKey = new Map<string, IdentityUpsert>();
  for (const row of rows) {
    const key = identityKeyOf(row);
    const earlier = byKey.get(key);
    byKey.set(key, earlier?.verified && !row.verified ? { ...row, verified: true } : row);
  }
  return byKey.size === rows.length ? rows : [...byKey.values()];
}

export async function upsertIdentities(db: Db, given: IdentityUpsert[], now: Date): Promise<void> {
  if (given.length === 0) return;
  const rows = oneRowPerKey(given);
  await db
    .insert(identities)
    .select(unnestRows(identities, rows, { createdAt: now, updatedAt: now }))
    .onConflictDoUpdate({
      target: [identities.kind, identities.source, identities.valueKey],
      set: {
        customerId: sql`excluded.customer_id`,
        display: sql`excluded.display`,
        // Once verified, an identity stays verified.
        verified: sql`${identities.verified} or excluded.verified`,
        updatedAt: sql`excluded.updated_at`,
      },
    });
}

/** Re-points everything a merged-away customer owned to its survivor, for many merges in one statement each. */
export async function repointCustomers(db: Db, moves: { from: string; to: string }[]): Promise<void> {
  if (moves.length === 0) return;
  const values = sql.join(
    moves.map((m) => sql`(${m.from}::uuid, ${m.to}::uuid)`),
    sql`, `,
  );
  await db.execute(
    sql`update ${identities} set customer_id = m.target from (values ${values}) as m(origin, target) where ${identities.customerId} = m.origin`,
  );
  await db.execute(
    sql`update ${sourceRecords} set customer_id = m.target from (values ${values}) as m(origin, target) where ${sourceRecords.customerId} = m.origin`,
  );
  // Chains stay flat: whatever pointed at a merged-away customer now points at the survivor.
  await db.execute(
    sql`update ${customers} set merged_into = m.target from (values ${values}) as m(origin, target) where ${customers.mergedInto} = m.origin or ${customers.id} = m.origin`,
  );
}

export type { SourceRecordKey };
