import type { Db } from '@cx/platform';
import { and, asc, gt, inArray, isNotNull, max, sql } from 'drizzle-orm';
import { repairOrders, type VehicleFactRow, vehicleFacts } from '../db/schema.ts';

/**
 * One row per VIN (the caller merges duplicates: ON CONFLICT cannot touch a row twice). Owner and
 * dealer take the newest value sent; mileage only moves forward in time.
 */
export async function upsertVehicleFacts(db: Db, rows: (typeof vehicleFacts.$inferInsert)[]): Promise<void> {
  if (rows.length === 0) return;
  const newer = sql`excluded.mileage_at is not null and (${vehicleFacts.mileageAt} is null or excluded.mileage_at >= ${vehicleFacts.mileageAt})`;
  await db
    .insert(vehicleFacts)
    .values(rows)
    .onConflictDoUpdate({
      target: vehicleFacts.vin,
      set: {
        customerId: sql`coalesce(excluded.customer_id, ${vehicleFacts.customerId})`,
        dealerCode: sql`coalesce(excluded.dealer_code, ${vehicleFacts.dealerCode})`,
        deliveredAt: sql`coalesce(excluded.delivered_at, ${vehicleFacts.deliveredAt})`,
        mileageKm: sql`case when ${newer} then excluded.mileage_km else ${vehicleFacts.mileageKm} end`,
        mileageAt: sql`case when ${newer} then excluded.mileage_at else ${vehicleFacts.mileageAt} end`,
        updatedAt: sql`excluded.updated_at`,
      },
    });
}

export async function findVehicleFactsByVins(db: Db, vins: readonly string[]): Promise<VehicleFactRow[]> {
  if (vins.length === 0) return [];
  return db
    .select()
    .from(vehicleFacts)
    .where(inArray(vehicleFacts.vin, [...vins]));
}

/** Delivered vehicles in VIN order after `afterVin`: the care-reminder scan walks them page by page. */
export async function pageDeliveredVehicles(
  db: Db,
  afterVin: string | null,
  limit: number,
): Promise<VehicleFactRow[]> {
  return db
    .select()
    .from(vehicleFacts)
    .where(and(isNotNull(vehicleFacts.deliveredAt), afterVin ? gt(vehicleFacts.vin, afterVin) : undefined))
    .orderBy(asc(vehicleFacts.vin))
    .limit(limit);
}

/** The latest visit (repair order opening) per VIN. */
export async function findLastVisits(
  db: Db,
  vins: readonly string[],
): Promise<{ vin: string; lastVisitAt: Date | null }[]> {
  if (vins.length === 0) return [];
  return db
    .select({ vin: repairOrders.vin, lastVisitAt: max(repairOrders.openedAt) })
    .from(repairOrders)
    .where(and(inArray(repairOrders.vin, [...vins]), sql`${repairOrders.status} <> 'CANCELLED'`))
    .groupBy(repairOrders.vin);
}
