import { type Db, fromExcluded } from '@cx/platform';
import { and, desc, eq, gt, inArray, lt, ne } from 'drizzle-orm';
import {
  type CampaignRow,
  type ConsultantRow,
  campaigns,
  consultants,
  type DealerRow,
  dealers,
  type FollowUpRow,
  followUps,
  type SalesOrderRow,
  salesOrders,
  type TestDriveRow,
  testDrives,
} from '../db/schema.ts';

export async function insertFollowUp(db: Db, row: typeof followUps.$inferInsert): Promise<FollowUpRow> {
  const [inserted] = await db.insert(followUps).values(row).returning();
  return inserted!;
}

export async function insertTestDrive(db: Db, row: typeof testDrives.$inferInsert): Promise<TestDriveRow> {
  const [inserted] = await db.insert(testDrives).values(row).returning();
  return inserted!;
}

/** A scheduled drive of the same vehicle overlapping [start, end), if any. */
export async function findOverlappingDrive(
  db: Db,
  params: { vin: string; start: Date; end: Date },
): Promise<TestDriveRow | null> {
  const [row] = await db
    .select()
    .from(testDrives)
    .where(
      and(
        eq(testDrives.vin, params.vin),
        eq(testDrives.status, 'SCHEDULED'),
        lt(testDrives.slotStart, params.end),
        gt(testDrives.slotEnd, params.start),
      ),
    )
    .limit(1);
  return row ?? null;
}

export async function lockTestDrive(db: Db, id: string): Promise<TestDriveRow | null> {
  const [row] = await db.select().from(testDrives).where(eq(testDrives.id, id)).for('update');
  return row ?? null;
}

export async function updateTestDrive(
  db: Db,
  id: string,
  set: Partial<typeof testDrives.$inferInsert>,
): Promise<TestDriveRow> {
  const [row] = await db.update(testDrives).set(set).where(eq(testDrives.id, id)).returning();
  return row!;
}

export async function findTestDrivesByIds(db: Db, ids: readonly string[]): Promise<TestDriveRow[]> {
  if (ids.length === 0) return [];
  return db
    .select()
    .from(testDrives)
    .where(inArray(testDrives.id, [...ids]));
}

export async function findTestDrivesByLeads(db: Db, leadIds: readonly string[]): Promise<TestDriveRow[]> {
  if (leadIds.length === 0) return [];
  return db
    .select()
    .from(testDrives)
    .where(inArray(testDrives.leadId, [...leadIds]))
    .orderBy(desc(testDrives.slotStart), desc(testDrives.id));
}

export async function insertOrder(db: Db, row: typeof salesOrders.$inferInsert): Promise<SalesOrderRow> {
  const [inserted] = await db.insert(salesOrders).values(row).returning();
  return inserted!;
}

export async function lockOrder(db: Db, id: string): Promise<SalesOrderRow | null> {
  const [row] = await db.select().from(salesOrders).where(eq(salesOrders.id, id)).for('update');
  return row ?? null;
}

export async function updateOrder(
  db: Db,
  id: string,
  set: Partial<typeof salesOrders.$inferInsert>,
): Promise<SalesOrderRow> {
  const [row] = await db.update(salesOrders).set(set).where(eq(salesOrders.id, id)).returning();
  return row!;
}

/** Another order (not this one) that delivered this VIN. */
export async function findDeliveredOrderOfVin(
  db: Db,
  vin: string,
  exceptId: string,
): Promise<SalesOrderRow | null> {
  const [row] = await db
    .select()
    .from(salesOrders)
    .where(and(eq(salesOrders.vin, vin), eq(salesOrders.status, 'DELIVERED'), ne(salesOrders.id, exceptId)))
    .limit(1);
  return row ?? null;
}

export async function upsertCampaign(db: Db, row: typeof campaigns.$inferInsert): Promise<CampaignRow> {
  const [saved] = await db
    .insert(campaigns)
    .values(row)
    .onConflictDoUpdate({
      target: campaigns.code,
      set: fromExcluded(campaigns, ['name', 'channel', 'cost', 'currency', 'startsOn', 'endsOn']),
    })
    .returning();
  return saved!;
}

export async function findCampaignsByCodes(db: Db, codes: readonly string[]): Promise<CampaignRow[]> {
  if (codes.length === 0) return [];
  return db
    .select()
    .from(campaigns)
    .where(inArray(campaigns.code, [...codes]));
}

export async function updateDealer(
  db: Db,
  code: string,
  set: Partial<typeof dealers.$inferInsert>,
): Promise<DealerRow> {
  const [row] = await db.update(dealers).set(set).where(eq(dealers.code, code)).returning();
  return row!;
}

export async function updateConsultant(
  db: Db,
  id: string,
  set: Partial<typeof consultants.$inferInsert>,
): Promise<ConsultantRow> {
  const [row] = await db.update(consultants).set(set).where(eq(consultants.id, id)).returning();
  return row!;
}
