import type { Db, Page } from '@cx/platform';
import { and, count, desc, getTableColumns, inArray, type SQL, sql } from 'drizzle-orm';
import { unionAll } from 'drizzle-orm/pg-core';
import {
  type CustomerRow,
  customers,
  type SegmentExportRow,
  type SegmentRow,
  segmentExports,
  segments,
} from '../db/schema.ts';
import { afterCursor } from './cursor.ts';

/** Inserts a segment; null when the name is taken. */
export async function insertSegment(db: Db, row: typeof segments.$inferInsert): Promise<SegmentRow | null> {
  const [created] = await db.insert(segments).values(row).onConflictDoNothing().returning();
  return created ?? null;
}

export async function findSegmentsByIds(db: Db, ids: readonly string[]): Promise<SegmentRow[]> {
  if (ids.length === 0) return [];
  return db
    .select()
    .from(segments)
    .where(inArray(segments.id, [...ids]));
}

export async function listSegments(db: Db, page: Page): Promise<SegmentRow[]> {
  const after = afterCursor(segments.createdAt, segments.id, page.after);
  return db
    .select()
    .from(segments)
    .where(after)
    .orderBy(desc(segments.createdAt), desc(segments.id))
    .limit(page.first + 1);
}

export async function countAllSegments(db: Db): Promise<number> {
  const [row] = await db.select({ n: count() }).from(segments);
  return Number(row?.n ?? 0);
}

export async function insertSegmentExport(
  db: Db,
  row: typeof segmentExports.$inferInsert,
): Promise<SegmentExportRow> {
  const [created] = await db.insert(segmentExports).values(row).returning();
  return created!;
}

export async function findSegmentExportsByIds(db: Db, ids: readonly string[]): Promise<SegmentExportRow[]> {
  if (ids.length === 0) return [];
  return db
    .select()
    .from(segmentExports)
    .where(inArray(segmentExports.id, [...ids]));
}

/**
 * Counts several audiences in one statement: a UNION ALL of one `count(*) ... where <condition>`
 * per audience, so each keeps its own plan (EXISTS conditions become semi-joins). A single scan
 * with `count(*) filter (where ...)` would probe every customer row instead.
 */
export async function countAudiences(db: Db, conditions: SQL[]): Promise<number[]> {
  if (conditions.length === 0) return [];
  const selects = conditions.map((c, i) =>
    db
      .select({ audience: sql<number>`${i}::int`.as('audience'), n: count() })
      .from(customers)
      .where(c),
  );
  const rows =
    selects.length === 1 ? await selects[0]! : await unionAll(selects[0]!, selects[1]!, ...selects.slice(2));
  const counts = conditions.map(() => 0);
  for (const r of rows) counts[Number(r.audience)] = Number(r.n);
  return counts;
}

/** One page of members for several audiences in one statement (a UNION ALL of limited selects). */
export async function pageAudiences(db: Db, conditions: SQL[], page: Page): Promise<CustomerRow[][]> {
  if (conditions.length === 0) return [];
  const after = afterCursor(customers.createdAt, customers.id, page.after);
  const selects = conditions.map((c, i) =>
    db
      .select({ ...getTableColumns(customers), audience: sql<number>`${i}::int`.as('audience') })
      .from(customers)
      .where(and(c, after))
      .orderBy(desc(customers.createdAt), desc(customers.id))
      .limit(page.first + 1),
  );
  const rows =
    selects.length === 1 ? await selects[0]! : await unionAll(selects[0]!, selects[1]!, ...selects.slice(2));
  const grouped: CustomerRow[][] = conditions.map(() => []);
  for (const { audience, ...row } of rows) grouped[Number(audience)]!.push(row);
  // UNION ALL keeps no order across branches: restore newest first within each audience.
  for (const list of grouped)
    list.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1));
  return grouped;
}
