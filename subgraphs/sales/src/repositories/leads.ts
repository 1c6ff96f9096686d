import type { Db } from '@cx/platform';
import { and, desc, eq, gte, inArray, isNull, notInArray, sql } from 'drizzle-orm';
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
 * requests cannot both miss each other's open lead and create a duplicate.
 */
export async function lockLeadKey(
  db: Db,
  params: { customerId: string; modelCode: string | null },
): Promise<void> {
  const key = `${params.customerId}:${params.modelCode ?? ''}`;
  await db.execute(sql`select pg_advisory_xact_lock(hashtext('sales.lead'), hashtext(${key}))`);
}

/** The newest lead for this customer and model created since `since` that is not yet WON or LOST. */
export async function findOpenDuplicateLead(
  db: Db,
  params: { customerId: string; modelCode: string | null; since: Date },
): Promise<LeadRow | null> {
  const [row] = await db
    .select()
    .from(leads)
    .where(
      and(
        eq(leads.customerId, params.customerId),
        params.modelCode === null ? isNull(leads.modelCode) : eq(leads.modelCode, params.modelCode),
        gte(leads.createdAt, params.since),
        notInArray(leads.status, ['WON', 'LOST']),
      ),
    )
    .orderBy(desc(leads.createdAt), desc(leads.id))
    .limit(1);
  return row ?? null;
}

export async function insertLead(db: Db, row: typeof leads.$inferInsert): Promise<LeadRow> {
  const [inserted] = await db.insert(leads).values(row).returning();
  return inserted!;
}
