import type { Db } from '@cx/platform';
import { eq, inArray } from 'drizzle-orm';
import { type RoadsideCaseRow, roadsideCases } from '../db/schema.ts';

export async function findRoadsideCasesByIds(db: Db, ids: readonly string[]): Promise<RoadsideCaseRow[]> {
  if (ids.length === 0) return [];
  return db
    .select()
    .from(roadsideCases)
    .where(inArray(roadsideCases.id, [...ids]));
}

export async function lockRoadsideCase(db: Db, id: string): Promise<RoadsideCaseRow | null> {
  const [row] = await db.select().from(roadsideCases).where(eq(roadsideCases.id, id)).for('update');
  return row ?? null;
}

export async function insertRoadsideCase(
  db: Db,
  row: typeof roadsideCases.$inferInsert,
): Promise<RoadsideCaseRow> {
  const [inserted] = await db.insert(roadsideCases).values(row).returning();
  return inserted!;
}

export async function updateRoadsideCase(
  db: Db,
  id: string,
  change: Partial<typeof roadsideCases.$inferInsert>,
): Promise<RoadsideCaseRow> {
  const [row] = await db.update(roadsideCases).set(change).where(eq(roadsideCases.id, id)).returning();
  return row!;
}
