import {
  anyOfPlaceholder,
  type Db,
  driverValues,
  type ParentExpansion,
  preparedStatement,
} from '@cx/platform';
import { and, desc, inArray, isNull, type SQL, sql } from 'drizzle-orm';
import { type OwnershipRow, ownerships, type VehicleRow, vehicles } from '../db/schema.ts';

export async function findVehiclesByVins(db: Db, vins: readonly string[]): Promise<VehicleRow[]> {
  if (vins.length === 0) return [];
  return preparedStatement(db, 'vehiclesByVins', () =>
    db.select().from(vehicles).where(anyOfPlaceholder(vehicles.vin, 'vins')),
  ).execute({ vins: driverValues(vehicles.vin, vins) });
}

/**
 * Current ownerships of many customers, newest purchase first, each with the requested customer it
 * counts for (`ownerKey`: the survivor, for vehicles owned under an id merged into it).
 */
export async function findCurrentOwnershipsByCustomers(
  db: Db,
  customerIds: readonly string[],
  owner: ParentExpansion,
): Promise<(OwnershipRow & { ownerKey: string })[]> {
  if (customerIds.length === 0) return [];
  const query = (matching: SQL) =>
    db
      .select({ ownership: ownerships, ownerKey: owner.key })
      .from(ownerships)
      .where(and(matching, isNull(ownerships.endedAt)))
      .orderBy(desc(ownerships.startedAt), ownerships.vin);
  const { placeholder } = owner;
  const rows = placeholder
    ? await preparedStatement(db, `currentOwnershipsByCustomers|${placeholder.shape}`, () =>
        query(placeholder.matching('customers')),
      ).execute({ customers: [...customerIds] })
    : await query(owner.matching(customerIds));
  return rows.map((r) => ({ ...r.ownership, ownerKey: r.ownerKey }));
}

export async function findCurrentOwnershipsByVins(db: Db, vins: readonly string[]): Promise<OwnershipRow[]> {
  if (vins.length === 0) return [];
  return preparedStatement(db, 'currentOwnershipsByVins', () =>
    db
      .select()
      .from(ownerships)
      .where(and(anyOfPlaceholder(ownerships.vin, 'vins'), isNull(ownerships.endedAt))),
  ).execute({ vins: driverValues(ownerships.vin, vins) });
}

export async function findOwnershipsByVins(db: Db, vins: readonly string[]): Promise<OwnershipRow[]> {
  if (vins.length === 0) return [];
  return db
    .select()
    .from(ownerships)
    .where(inArray(ownerships.vin, [...vins]))
    .orderBy(desc(ownerships.startedAt), desc(ownerships.id));
}

export async function upsertVehicles(db: Db, rows: (typeof vehicles.$inferInsert)[]): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insert(vehicles)
    .values(rows)
    .onConflictDoUpdate({
      target: vehicles.vin,
      set: {
        modelCode: sql`excluded.model_code`,
        color: sql`coalesce(excluded.color, ${vehicles.color})`,
        dealerCode: sql`coalesce(excluded.dealer_code, ${vehicles.dealerCode})`,
        ingestHash: sql`excluded.ingest_hash`,
        updatedAt: sql`excluded.updated_at`,
      },
    });
}

export async function endOwnerships(db: Db, rows: { vin: string; endedAt: Date }[]): Promise<void> {
  if (rows.length === 0) return;
  const values = sql.join(
    rows.map((r) => sql`(${r.vin}, ${r.endedAt.toISOString()}::timestamptz)`),
    sql`, `,
  );
  await db.execute(
    sql`update ${ownerships} set ended_at = v.ended_at from (values ${values}) as v(vin, ended_at) where ${ownerships.vin} = v.vin and ${ownerships.endedAt} is null`,
  );
}

export async function insertOwnerships(db: Db, rows: (typeof ownerships.$inferInsert)[]): Promise<void> {
  if (rows.length === 0) return;
  await db.insert(ownerships).values(rows);
}
