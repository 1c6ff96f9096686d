import type { Db } from '@cx/platform';
import { upsertVehicleFacts } from '../repositories/vehicleFacts.ts';

/** A fact about a vehicle learnt from a visit or from another subgraph's event. */
export interface VehicleFact {
  vin: string;
  customerId?: string | null;
  dealerCode?: string | null;
  deliveredAt?: Date | null;
  mileageKm?: number | null;
  /** When the mileage was read; required with mileageKm. */
  mileageAt?: Date | null;
}

/** Several facts about one VIN in a batch become one row, the newest reading winning. */
export function mergeFacts(facts: readonly VehicleFact[]): Map<string, VehicleFact> {
  const byVin = new Map<string, VehicleFact>();
  for (const fact of facts) {
    const prior = byVin.get(fact.vin);
    if (!prior) {
      byVin.set(fact.vin, { ...fact });
      continue;
    }
    const newerMileage =
      fact.mileageKm != null &&
      fact.mileageAt != null &&
      (!prior.mileageAt || fact.mileageAt >= prior.mileageAt);
    byVin.set(fact.vin, {
      vin: fact.vin,
      customerId: fact.customerId ?? prior.customerId,
      dealerCode: fact.dealerCode ?? prior.dealerCode,
      deliveredAt: fact.deliveredAt ?? prior.deliveredAt,
      mileageKm: newerMileage ? fact.mileageKm : prior.mileageKm,
      mileageAt: newerMileage ? fact.mileageAt : prior.mileageAt,
    });
  }
  return byVin;
}

/**
 * Keeps the vehicle_facts projection current. Repair-order ingest calls it for every visit, and
 * the event consumer (events/consumers.ts) for deliveries (sales) and ownership changes (vehicle),
 * since service never reads those subgraphs' tables.
 */
export async function recordVehicleFacts(db: Db, facts: readonly VehicleFact[], now: Date): Promise<void> {
  const rows = [...mergeFacts(facts).values()].map((f) => ({
    vin: f.vin,
    customerId: f.customerId ?? null,
    dealerCode: f.dealerCode ?? null,
    deliveredAt: f.deliveredAt ?? null,
    mileageKm: f.mileageAt ? (f.mileageKm ?? null) : null,
    mileageAt: f.mileageKm != null ? (f.mileageAt ?? null) : null,
    updatedAt: now,
  }));
  await upsertVehicleFacts(db, rows);
}
