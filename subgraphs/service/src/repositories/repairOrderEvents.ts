import type { Db } from '@cx/platform';
import { desc, inArray } from 'drizzle-orm';
import { type RepairOrderEventRow, repairOrderEvents } from '../db/schema.ts';

export async function insertRepairOrderEvents(
  db: Db,
  rows: (typeof repairOrderEvents.$inferInsert)[],
): Promise<void> {
  if (rows.length > 0) await db.insert(repairOrderEvents).values(rows);
}

/** Timelines of many repair orders, newest step first. */
export async function findEventsByRepairOrderIds(
  db: Db,
  ids: readonly string[],
): Promise<RepairOrderEventRow[]> {
  if (ids.length === 0) return [];
  return db
    .select()
    .from(repairOrderEvents)
    .where(inArray(repairOrderEvents.repairOrderId, [...ids]))
    .orderBy(desc(repairOrderEvents.occurredAt), desc(repairOrderEvents.id));
}
