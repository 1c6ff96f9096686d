import { type Db, unnestRows } from '@cx/platform';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import { consents, dealers, vehicles } from '../db/schema.ts';

/**
 * Local projections of other subgraphs' events. Each upsert keeps the newest fact by its own
 * timestamp, so an event that arrives late never overwrites a newer one.
 */
function newestWins(columns: Record<string, PgColumn>, changedAt: PgColumn) {
  const excluded = (c: PgColumn) => sql`excluded.${sql.identifier(c.name)}`;
  // `set` is keyed by the tables' property names; every projection calls its timestamp changedAt.
  const set = Object.fromEntries(Object.entries(columns).map(([key, c]) => [key, excluded(c)]));
  return {
    set: { ...set, changedAt: excluded(changedAt) },
    setWhere: sql`${excluded(changedAt)} >= ${changedAt}`,
  };
}

/** Newest statement per (customer, purpose) wins; one statement for every purpose an event carries. */
export async function upsertConsents(
  tx: Db,
  facts: { customerId: string; purpose: string; granted: boolean; changedAt: Date }[],
): Promise<void> {
  if (facts.length === 0) return;
  // An ingest batch's event carries about 2,000 facts: one JSON recordset, not 8,000 parameters.
  await tx
    .insert(consents)
    .select(unnestRows(consents, facts))
    .onConflictDoUpdate({
      target: [consents.customerId, consents.purpose],
      ...newestWins({ granted: consents.granted }, consents.changedAt),
    });
}

export async function findConsents(
  tx: Db,
  customerId: string,
  purposes: readonly string[],
): Promise<Map<string, boolean>> {
  const rows = await tx
    .select({ purpose: consents.purpose, granted: consents.granted })
    .from(consents)
    .where(and(eq(consents.customerId, customerId), inArray(consents.purpose, [...purposes])));
  return new Map(rows.map((r) => [r.purpose, r.granted]));
}

export async function upsertDealer(tx: Db, fact: { code: string; region: string; changedAt: Date }) {
  await tx
    .insert(dealers)
    .values(fact)
    .onConflictDoUpdate({
      target: dealers.code,
      ...newestWins({ region: dealers.region }, dealers.changedAt),
    });
}

export async function upsertVehicle(tx: Db, fact: { vin: string; modelCode: string; changedAt: Date }) {
  await tx
    .insert(vehicles)
    .values(fact)
    .onConflictDoUpdate({
      target: vehicles.vin,
      ...newestWins({ modelCode: vehicles.modelCode }, vehicles.changedAt),
    });
}

/** The dealer's region and the VIN's model in one statement, for an invitation's score groups. */
export async function findTouchpointContext(
  tx: Db,
  ref: { dealerCode: string | null; vin: string | null },
): Promise<{ region: string | null; modelCode: string | null }> {
  const [row] = await tx
    .select({
      region: sql<
        string | null
      >`(select ${dealers.region} from ${dealers} where ${dealers.code} = ${ref.dealerCode})`,
      modelCode: sql<
        string | null
      >`(select ${vehicles.modelCode} from ${vehicles} where ${vehicles.vin} = ${ref.vin})`,
    })
    .from(sql`(select 1) as one`);
  return { region: row?.region ?? null, modelCode: row?.modelCode ?? null };
}
