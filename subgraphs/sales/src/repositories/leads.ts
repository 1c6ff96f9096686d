import type { Db } from '@cx/platform';
import { and, desc, eq, gte, inArray, notInArray, sql } from 'drizzle-orm';
import { type LeadRow, leads, type SalesOrderRow, salesOrders } from '../db/schema.ts';

export async function findLeadsByIds(db: Db, ids: readonly string[]): Promise<LeadRow[]> {
  if (ids.length === 0) return [];
  return db
    .select()
    .from(leads)
    .where(inArray(leads.id, [...ids]));
}

export async function findOrdersByIds(db: Db, ids: readonly string[]): Promise<SalesOrderRow[]> {
  if (ids.length === 0) return [];
  return db
    .select()
    .from(salesOrders)
    .where(inArray(salesOrders.id, [...ids]));
}

/** The latest order per VIN. */
export async function findOrdersByVins(db: Db, vins: readonly string[]): Promise<SalesOrderRow[]> {
  if (vins.length === 0) return [];
  return db
    .selectDistinctOn([salesOrders.vin])
    .from(salesOrders)
    .where(inArray(salesOrders.vin, [...vins]))
    .orderBy(salesOrders.vin, desc(salesOrders.createdAt));
}

/**
 * Serializes lead creation per (customer, model) until the transaction ends, so two concurrent
 * requests cannot both miss each other's open lead and create a duplicate. Keys are locked in
 * sorted order, so two batches sharing keys never deadlock.
 */
export async function lockLeadKeys(db: Db, keys: readonly string[]): Promise<void> {
  if (keys.length === 0) return;
  const list = sql.join(
    [...keys].sort().map((k) => sql`(${k})`),
    sql`, `,
  );
  await db.execute(sql`select pg_advisory_xact_lock(hashtext('sales.lead'), hashtext(k.key))
    from (values ${list}) as k(key) order by k.key`);
}

/**
 * For each (customer, model) the newest lead created since `since` that is not yet WON or LOST,
 * for any number of keys in one statement.
 */
export async function findOpenDuplicateLeads(
  db: Db,
  params: { keys: readonly { customerId: string; modelCode: string | null }[]; since: Date },
): Promise<LeadRow[]> {
  if (params.keys.length === 0) return [];
  const pairs = sql.join(
    params.keys.map((k) => sql`(${k.customerId}::uuid, ${k.modelCode ?? ''}::text)`),
    sql`, `,
  );
  return db
    .selectDistinctOn([leads.customerId, sql`coalesce(${leads.modelCode}, '')`])
    .from(leads)
    .where(
      and(
        sql`(${leads.customerId}, coalesce(${leads.modelCode}, '')) in (${pairs})`,
        gte(leads.createdAt, params.since),
        notInArray(leads.status, ['WON', 'LOST']),
      ),
    )
    .orderBy(leads.customerId, sql`coalesce(${leads.modelCode}, '')`, desc(leads.createdAt), desc(leads.id));
}

export async function insertLeads(db: Db, rows: readonly (typeof leads.$inferInsert)[]): Promise<LeadRow[]> {
  if (rows.length === 0) return [];
  return db
    .insert(leads)
    .values([...rows])
    .returning();
}

/** Reads a lead and locks it until the transaction ends, so two changes to it cannot interleave. */
export async function lockLead(db: Db, id: string): Promise<LeadRow | null> {
  const [row] = await db.select().from(leads).where(eq(leads.id, id)).for('update');
  return row ?? null;
}

export async function updateLead(
  db: Db,
  id: string,
  set: Partial<typeof leads.$inferInsert>,
): Promise<LeadRow> {
  const [row] = await db.update(leads).set(set).where(eq(leads.id, id)).returning();
  return row!;
}

/** Moves leads to new consultants (and dealers), any number in one statement. */
export async function reassignLeads(
  db: Db,
  moves: readonly { leadId: string; consultantId: string; dealerCode: string }[],
  now: Date,
): Promise<void> {
  if (moves.length === 0) return;
  const values = sql.join(
    moves.map((m) => sql`(${m.leadId}::uuid, ${m.consultantId}::uuid, ${m.dealerCode}::text)`),
    sql`, `,
  );
  await db.execute(sql`update ${leads} set consultant_id = v.consultant_id, dealer_code = v.dealer_code,
      assigned_at = ${now.toISOString()}::timestamptz, updated_at = ${now.toISOString()}::timestamptz
    from (values ${values}) as v(id, consultant_id, dealer_code) where ${leads.id} = v.id`);
}
