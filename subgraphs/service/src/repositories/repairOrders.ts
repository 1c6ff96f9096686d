import { type Db, fromExcluded } from '@cx/platform';
import { and, eq, inArray, or } from 'drizzle-orm';
import {
  type RepairOrderLineRow,
  type RepairOrderRow,
  type RepairOrderStatus,
  repairOrderLines,
  repairOrders,
} from '../db/schema.ts';

export async function findRepairOrdersByIds(db: Db, ids: readonly string[]): Promise<RepairOrderRow[]> {
  if (ids.length === 0) return [];
  return db
    .select()
    .from(repairOrders)
    .where(inArray(repairOrders.id, [...ids]));
}

export async function findLinesByRepairOrderIds(
  db: Db,
  ids: readonly string[],
): Promise<RepairOrderLineRow[]> {
  if (ids.length === 0) return [];
  return db
    .select()
    .from(repairOrderLines)
    .where(inArray(repairOrderLines.repairOrderId, [...ids]))
    .orderBy(repairOrderLines.repairOrderId, repairOrderLines.position);
}

export async function findRepairOrdersByExternalKeys(
  db: Db,
  keys: readonly { dealerCode: string; externalId: string }[],
): Promise<RepairOrderRow[]> {
  if (keys.length === 0) return [];
  return db
    .select()
    .from(repairOrders)
    .where(
      or(
        ...keys.map((k) =>
          and(eq(repairOrders.dealerCode, k.dealerCode), eq(repairOrders.externalId, k.externalId)),
        ),
      ),
    );
}

export async function upsertRepairOrders(
  db: Db,
  rows: (typeof repairOrders.$inferInsert)[],
): Promise<RepairOrderRow[]> {
  if (rows.length === 0) return [];
  return db
    .insert(repairOrders)
    .values(rows)
    .onConflictDoUpdate({
      target: [repairOrders.dealerCode, repairOrders.externalId],
      set: fromExcluded(repairOrders, [
        'vin',
        'customerId',
        'status',
        'mileageKm',
        'totalAmount',
        'ingestHash',
        'openedAt',
        'closedAt',
        'updatedAt',
      ]),
    })
    .returning();
}

/** Lines are replaced as a whole: the DMS record is the truth for its order. */
export async function replaceLines(
  db: Db,
  repairOrderIds: string[],
  rows: (typeof repairOrderLines.$inferInsert)[],
): Promise<void> {
  if (repairOrderIds.length === 0) return;
  await db.delete(repairOrderLines).where(inArray(repairOrderLines.repairOrderId, repairOrderIds));
  if (rows.length > 0) await db.insert(repairOrderLines).values(rows);
}

/** Reads a repair order and locks it until the transaction ends, so two steps cannot interleave. */
export async function lockRepairOrder(db: Db, id: string): Promise<RepairOrderRow | null> {
  const [row] = await db.select().from(repairOrders).where(eq(repairOrders.id, id)).for('update');
  return row ?? null;
}

export async function updateRepairOrderStatus(
  db: Db,
  id: string,
  change: { status: RepairOrderStatus; closedAt: Date | null; updatedAt: Date },
): Promise<RepairOrderRow> {
  const [row] = await db.update(repairOrders).set(change).where(eq(repairOrders.id, id)).returning();
  return row!;
}
