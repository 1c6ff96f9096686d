import { type Db, subgraphPrivacy } from '@cx/platform';
import { inArray } from 'drizzle-orm';
import { customerAlias } from '../aliases/tables.ts';
import { eventTables, mileageReadings, ownerships, vehicles } from '../db/schema.ts';
import { erasureReceipts } from './tables.ts';

/**
 * The vehicle section of a PIPL export (documented on CustomerDataExport.vehicleData): every
 * ownership (current and past) under the customer's ids, those vehicles and their odometer readings.
 */
async function collect(db: Db, ids: string[]) {
  const owned = await db.select().from(ownerships).where(inArray(ownerships.customerId, ids));
  const vins = [...new Set(owned.map((o) => o.vin))];
  const [cars, readings] =
    vins.length === 0
      ? [[], []]
      : await Promise.all([
          db.select().from(vehicles).where(inArray(vehicles.vin, vins)),
          db.select().from(mileageReadings).where(inArray(mileageReadings.vin, vins)),
        ]);
  return { ownerships: owned, vehicles: cars, mileageReadings: readings };
}

/**
 * Vehicle holds no contact data or free text about a customer: vehicles, odometer readings and the
 * ownership history stay (they describe the car; the ownership rows now point at an anonymized
 * customer). The receipt records how many ownerships the erased ids had.
 */
async function erase(tx: Db, ids: readonly string[]) {
  const owned = await tx
    .select({ id: ownerships.id })
    .from(ownerships)
    .where(inArray(ownerships.customerId, [...ids]));
  return { ownerships_kept_pseudonymous: owned.length };
}

export const { CustomerDataExport, erasureConsumer } = subgraphPrivacy({
  subgraph: 'vehicle',
  field: 'vehicleData',
  outbox: eventTables,
  receipts: erasureReceipts,
  aliases: customerAlias,
  collect,
  erase,
});
