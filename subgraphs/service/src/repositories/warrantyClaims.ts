import type { Db } from '@cx/platform';
import { desc, eq, inArray } from 'drizzle-orm';
import { type WarrantyClaimRow, warrantyClaims } from '../db/schema.ts';

export async function findWarrantyClaimsByIds(db: Db, ids: readonly string[]): Promise<WarrantyClaimRow[]> {
  if (ids.length === 0) return [];
  return db
    .select()
    .from(warrantyClaims)
    .where(inArray(warrantyClaims.id, [...ids]));
}

export async function findWarrantyClaimsByRepairOrderIds(
  db: Db,
  ids: readonly string[],
): Promise<WarrantyClaimRow[]> {
  if (ids.length === 0) return [];
  return db
    .select()
    .from(warrantyClaims)
    .where(inArray(warrantyClaims.repairOrderId, [...ids]))
    .orderBy(desc(warrantyClaims.filedAt), desc(warrantyClaims.id));
}

export async function lockWarrantyClaim(db: Db, id: string): Promise<WarrantyClaimRow | null> {
  const [row] = await db.select().from(warrantyClaims).where(eq(warrantyClaims.id, id)).for('update');
  return row ?? null;
}

export async function insertWarrantyClaim(
  db: Db,
  row: typeof warrantyClaims.$inferInsert,
): Promise<WarrantyClaimRow> {
  const [inserted] = await db.insert(warrantyClaims).values(row).returning();
  return inserted!;
}

export async function updateWarrantyClaim(
  db: Db,
  id: string,
  change: Partial<typeof warrantyClaims.$inferInsert>,
): Promise<WarrantyClaimRow> {
  const [row] = await db.update(warrantyClaims).set(change).where(eq(warrantyClaims.id, id)).returning();
  return row!;
}
