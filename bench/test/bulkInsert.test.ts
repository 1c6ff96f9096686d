import { createDatabase, type DatabaseHandle } from '@cx/platform';
import { sql } from 'drizzle-orm';
import { boolean, date, integer, jsonb, numeric, pgSchema, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/testDatabase.ts';
import { copyField, insertRows } from '../src/bulkInsert.ts';

const schema = pgSchema('bench_bulk');
const columns = () => ({
  id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
  label: text('label').notNull(),
  note: text('note'),
  payload: jsonb('payload').$type<Record<string, unknown>>(),
  at: timestamp('at', { withTimezone: true }).notNull(),
  day: date('day'),
  amount: numeric('amount', { precision: 12, scale: 2 }),
  flag: boolean('flag').notNull().default(false),
  tags: text('tags').array(),
  n: integer('n'),
  kind: text('kind').notNull().default('plain'),
  stamp: text('stamp').$defaultFn(() => 'from-js-default'),
});
const viaBulk = schema.table('via_bulk', columns());
const viaInsert = schema.table('via_insert', columns());

const ddl = (name: string) => `create table bench_bulk.${name} (
  id uuid primary key default gen_random_uuid(), label text not null, note text, payload jsonb,
  at timestamptz not null, day date, amount numeric(12,2), flag boolean not null default false,
  tags text[], n integer, kind text not null default 'plain', stamp text)`;

// Every character COPY's text format must escape, plus look-alikes of its own markers.
const awkward = [
  'tab\there',
  'line\nbreak',
  'carriage\rreturn',
  'back\\slash',
  '\\N',
  'quote "x" \'y\'',
  '雪 ❄',
  '',
];

function rowsFor(count: number) {
  return Array.from({ length: count }, (_, i) => ({
    id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    label: awkward[i % awkward.length]!,
    note: i % 3 === 0 ? null : `note ${i}\t${awkward[(i + 1) % awkward.length]}`,
    payload:
      i % 4 === 0 ? null : { i, text: awkward[i % awkward.length], nested: { list: [1, 'two', null] } },
    at: new Date(Date.UTC(2025, 0, 1) + i * 3_600_123),
    day: i % 5 === 0 ? null : `2024-02-${String((i % 28) + 1).padStart(2, '0')}`,
    amount: i % 2 === 0 ? `${i}.25` : null,
    flag: i % 2 === 1,
    tags: i % 6 === 0 ? null : [awkward[i % awkward.length]!, 'b,c', '{x}'],
    n: i % 7 === 0 ? null : i * 1000,
  }));
}

async function readAll(db: DatabaseHandle['db'], table: string) {
  const result = await db.execute(
    sql.raw(
      `select id, label, note, payload, at, day::text as day, amount::text as amount, flag, tags, n, kind, stamp from bench_bulk.${table} order by id`,
    ),
  );
  return (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as Record<string, unknown>[];
}

describe('insertRows', () => {
  let database: TestDatabase;
  let handle: DatabaseHandle;

  beforeAll(async () => {
    database = await createTestDatabase('bench_bulk');
    handle = createDatabase({ url: database.url, pglite: database.pglite, poolMax: 2 });
    await handle.db.execute(sql.raw('create schema bench_bulk'));
    await handle.db.execute(sql.raw(ddl('via_bulk')));
    await handle.db.execute(sql.raw(ddl('via_insert')));
  });
  afterAll(async () => {
    await handle.close();
    await database.drop();
  });

  it('writes exactly what a Drizzle INSERT writes, through COPY on Postgres', async () => {
    const rows = rowsFor(2500);
    handle.counter.reset();
    expect(await insertRows(handle.db, viaBulk, rows)).toBe(rows.length);
    // COPY bypasses Drizzle's logger, so no statement is counted; PGlite takes 1,000-row INSERTs.
    expect(handle.counter.count).toBe(handle.kind === 'postgres' ? 0 : Math.ceil(rows.length / 1000));
    for (let i = 0; i < rows.length; i += 500)
      await handle.db.insert(viaInsert).values(rows.slice(i, i + 500));
    const [bulk, inserted] = [await readAll(handle.db, 'via_bulk'), await readAll(handle.db, 'via_insert')];
    expect(bulk).toHaveLength(rows.length);
    expect(bulk).toEqual(inserted);
    expect(bulk.every((r) => r.stamp === 'from-js-default' && r.kind === 'plain')).toBe(true);
  });

  it('falls back to INSERT when only some rows leave out a column with a SQL default', async () => {
    await handle.db.execute(sql.raw('truncate bench_bulk.via_bulk'));
    const rows = rowsFor(3).map((r, i) => (i === 1 ? r : { ...r, kind: `kind ${i}` }));
    handle.counter.reset();
    await insertRows(handle.db, viaBulk, rows);
    expect(handle.counter.count).toBe(1);
    const kinds = (await readAll(handle.db, 'via_bulk')).map((r) => r.kind);
    expect(kinds).toEqual(['kind 0', 'plain', 'kind 2']);
  });

  it('escapes the characters of the COPY text format', () => {
    expect(copyField(null)).toBe('\\N');
    expect(copyField('\\N')).toBe('\\\\N');
    expect(copyField('a\tb\nc\rd\\e')).toBe('a\\tb\\nc\\rd\\\\e');
    expect(copyField(true)).toBe('t');
    expect(copyField(12.5)).toBe('12.5');
  });
});
