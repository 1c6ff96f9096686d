import { connectionLoader, type Db, groupLoader, rowLoader } from '@cx/platform';
import { ownershipOwner } from './aliases/index.ts';
import { type MileageRow, mileageReadings } from './db/schema.ts';
import { findLatestMileageByVins } from './repositories/mileage.ts';
import { findModelsByCodes } from './repositories/models.ts';
import {
  findCurrentOwnershipsByCustomers,
  findCurrentOwnershipsByVins,
  findOwnershipsByVins,
  findVehiclesByVins,
} from './repositories/vehicles.ts';

/** Created per request, so batching and caching never leak between callers. */
export function createLoaders(db: Db) {
  return {
    vehicle: rowLoader(
      (vins: readonly string[]) => findVehiclesByVins(db, vins),
      (v) => v.vin,
    ),
    model: rowLoader(
      (codes: readonly string[]) => findModelsByCodes(db, codes),
      (m) => m.code,
    ),
    currentOwnership: rowLoader(
      (vins: readonly string[]) => findCurrentOwnershipsByVins(db, vins),
      (o) => o.vin,
    ),
    ownerships: groupLoader(
      (vins: readonly string[]) => findOwnershipsByVins(db, vins),
      (o) => o.vin,
    ),
    vehiclesOfCustomer: groupLoader(
      (ids: readonly string[]) => findCurrentOwnershipsByCustomers(db, ids, ownershipOwner),
      (o) => o.ownerKey,
    ),
    latestMileage: rowLoader(
      (vins: readonly string[]) => findLatestMileageByVins(db, vins),
      (m) => m.vin,
    ),
    mileageReadings: connectionLoader<MileageRow>(
      db,
      {
        table: mileageReadings,
        parent: mileageReadings.vin,
        order: mileageReadings.readAt,
        id: mileageReadings.id,
      },
      (m) => ({ at: m.readAt, id: m.id }),
    ),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
