import type { Db } from '@cx/platform';
import { and, eq, gt, inArray, lt, or, sql } from 'drizzle-orm';
import { type AppointmentRow, appointments, type ServiceCapacityRow, serviceCapacity } from '../db/schema.ts';

export async function findAppointmentsByIds(db: Db, ids: readonly string[]): Promise<AppointmentRow[]> {
  if (ids.length === 0) return [];
  return db
    .select()
    .from(appointments)
    .where(inArray(appointments.id, [...ids]));
}

export async function lockAppointment(db: Db, id: string): Promise<AppointmentRow | null> {
  const [row] = await db.select().from(appointments).where(eq(appointments.id, id)).for('update');
  return row ?? null;
}

export async function findCapacity(db: Db, dealerCode: string): Promise<ServiceCapacityRow | null> {
  const [row] = await db.select().from(serviceCapacity).where(eq(serviceCapacity.dealerCode, dealerCode));
  return row ?? null;
}

export async function upsertCapacity(db: Db, row: ServiceCapacityRow): Promise<ServiceCapacityRow> {
  const { dealerCode, ...change } = row;
  const [saved] = await db
    .insert(serviceCapacity)
    .values(row)
    .onConflictDoUpdate({ target: serviceCapacity.dealerCode, set: change })
    .returning();
  return saved!;
}

/**
 * Serializes bookings of one dealer's day until the transaction ends: with the count below, no
 * two concurrent bookings can both take the last bay.
 */
export async function lockDealerDay(db: Db, dealerCode: string, day: Date): Promise<void> {
  const key = `${dealerCode}:${day.toISOString()}`;
  await db.execute(sql`select pg_advisory_xact_lock(hashtext('service.slots'), hashtext(${key}))`);
}

/** Booked appointments overlapping [start, end): how many at the dealer, and whether the vehicle has one. */
export async function countOverlapping(
  db: Db,
  params: { dealerCode: string; vin: string; start: Date; end: Date },
): Promise<{ atDealer: number; vehicleBusy: boolean }> {
  const [row] = await db
    .select({
      atDealer:
        sql<number>`count(*) filter (where ${appointments.dealerCode} = ${params.dealerCode})`.mapWith(
          Number,
        ),
      vehicleBusy: sql<boolean>`coalesce(bool_or(${appointments.vin} = ${params.vin}), false)`,
    })
    .from(appointments)
    .where(
      and(
        eq(appointments.status, 'BOOKED'),
        lt(appointments.slotStart, params.end),
        gt(appointments.slotEnd, params.start),
        or(eq(appointments.dealerCode, params.dealerCode), eq(appointments.vin, params.vin)),
      ),
    );
  return { atDealer: row?.atDealer ?? 0, vehicleBusy: Boolean(row?.vehicleBusy) };
}

export async function insertAppointment(
  db: Db,
  row: typeof appointments.$inferInsert,
): Promise<AppointmentRow> {
  const [inserted] = await db.insert(appointments).values(row).returning();
  return inserted!;
}

export async function updateAppointment(
  db: Db,
  id: string,
  change: Partial<typeof appointments.$inferInsert>,
): Promise<AppointmentRow> {
  const [row] = await db.update(appointments).set(change).where(eq(appointments.id, id)).returning();
  return row!;
}
