import { anyOfPlaceholder, type Db, driverValues, preparedStatement } from '@cx/platform';
import { and, desc, eq, or, sql } from 'drizzle-orm';
import { type MileageRow, mileageReadings } from '../db/schema.ts';

export type MileageSource = MileageRow['source'];

export interface ReadingKey {
  vin: string;
  source: MileageSource;
  readAt: Date;
}

/** The latest reading per VIN, in one statement (DISTINCT ON walks the (vin, read_at desc) index). */
export async function findLatestMileageByVins(db: Db, vins: readonly string[]): Promise<MileageRow[]> {
  if (vins.length === 0) return [];
  return preparedStatement(db, 'latestMileageByVins', () =>
    db
      .selectDistinctOn([mileageReadings.vin])
      .from(mileageReadings)
      .where(anyOfPlaceholder(mileageReadings.vin, 'vins'))
      .orderBy(mileageReadings.vin, desc(mileageReadings.readAt), desc(mileageReadings.id)),
  ).execute({ vins: driverValues(mileageReadings.vin, vins) });
}

/** Readings already stored under the same (vin, source, readAt), so re-sends are recognised. */
export async function findReadingsByKeys(db: Db, keys: readonly ReadingKey[]): Promise<MileageRow[]> {
  if (keys.length === 0) return [];
  return db
    .select()
    .from(mileageReadings)
    .where(
      or(
        ...keys.map((k) =>
          and(
            eq(mileageReadings.vin, k.vin),
            eq(mileageReadings.source, k.source),
            eq(mileageReadings.readAt, k.readAt),
          ),
        ),
      ),
    );
}

export interface Neighbours {
  /** The highest reading taken before the instant, if any. */
  beforeKm: number | null;
  /** The lowest reading taken after the instant, if any. */
  afterKm: number | null;
}

/** For each (vin, instant), the stored readings just around it: one statement for the whole batch. */
export async function findNeighbours(
  db: Db,
  points: readonly { vin: string; readAt: Date }[],
): Promise<Neighbours[]> {
  if (points.length === 0) return [];
  const values = sql.join(
    points.map((p, i) => sql`(${i}::int, ${p.vin}::text, ${p.readAt.toISOString()}::timestamptz)`),
    sql`, `,
  );
  const around = (agg: 'max' | 'min', op: '<' | '>') =>
    sql<
      number | null
    >`(select ${sql.raw(agg)}(m.km) from ${mileageReadings} m where m.vin = p.vin and m.read_at ${sql.raw(op)} p.read_at)`.mapWith(
      (v: unknown) => (v === null ? null : Number(v)),
    );
  const rows = await db
    .select({
      i: sql<number>`p.i`.mapWith(Number),
      beforeKm: around('max', '<'),
      afterKm: around('min', '>'),
    })
    .from(sql`(values ${values}) as p(i, vin, read_at)`)
    .orderBy(sql`p.i`);
  return rows.map((r) => ({ beforeKm: r.beforeKm, afterKm: r.afterKm }));
}

/**
 * Inserts readings; one already stored under the same key is left alone (the caller has checked
 * that it agrees), or, with `replace`, takes the new km (the DMS record is the truth for its instant).
 */
export async function insertMileageReadings(
  db: Db,
  rows: (typeof mileageReadings.$inferInsert)[],
  onConflict: 'ignore' | 'replace' = 'ignore',
): Promise<void> {
  if (rows.length === 0) return;
  const insert = db.insert(mileageReadings).values(rows);
  const target = [mileageReadings.vin, mileageReadings.source, mileageReadings.readAt];
  if (onConflict === 'replace') await insert.onConflictDoUpdate({ target, set: { km: sql`excluded.km` } });
  else await insert.onConflictDoNothing({ target });
}
