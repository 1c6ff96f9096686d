import { sql } from 'drizzle-orm';
import { boolean, integer, jsonb, pgSchema, text, timestamp } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../../test/helpers/testDatabase.ts';
import { insertRows, unnestRows } from '../src/bulk.ts';
import type { DatabaseHandle } from '../src/db.ts';

const schema = pgSchema('unnest_test');
const things = schema.table('things', {
  name: text('name').primaryKey(),
  size: integer('size'),
  active: boolean('active').notNull().default(true),
  doc: jsonb('doc'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  note: text('note').default('none'),
});

const now = new Date('2026-11-24T08:00:00.000Z');

/** unnestRows against a real database: per-row values, shared values and defaults. */
describe('unnestRows', () => {
  let handle: DatabaseHandle;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ handle, close } = await openTestDatabase('unnest', [
      'create schema unnest_test',
      "create table unnest_test.things (name text primary key, size integer, active boolean not null default true, doc jsonb, created_at timestamptz not null, note text default 'none')",
    ]));
  });
  beforeEach(() => handle.db.execute(sql`truncate unnest_test.things`));
  afterAll(() => close?.());

  const stored = () => handle.db.select().from(things).orderBy(things.name);

  it('writes each row its own values and every row the shared ones; unset columns take their defaults', async () => {
    await handle.db.insert(things).select(
      unnestRows(
        things,
        [
          { name: 'a', size: 1, doc: { tags: ['x', "it's"] }, createdAt: now },
          { name: 'b', size: null, doc: null, createdAt: now },
        ],
        { createdAt: now, note: 'shared' },
      ),
    );
    expect(await stored()).toEqual([
      { name: 'a', size: 1, active: true, doc: { tags: ['x', "it's"] }, createdAt: now, note: 'shared' },
      { name: 'b', size: null, active: true, doc: null, createdAt: now, note: 'shared' },
    ]);
  });

  it('takes shared values for columns the rows do not carry, even the leading ones', async () => {
    const later = new Date(now.getTime() + 60_000);
    await insertRows(
      handle.db,
      things,
      [
        { name: 'c', createdAt: later },
        { name: 'd', createdAt: later },
      ] as { name: string; createdAt: Date }[],
      undefined,
      (rest) => handle.db.insert(things).select(rest),
      { size: 7, active: false },
    );
    expect((await stored()).map((t) => [t.name, t.size, t.active, t.createdAt.toISOString()])).toEqual([
      ['c', 7, false, later.toISOString()],
      ['d', 7, false, later.toISOString()],
    ]);
  });

  it('writes rows whose every value is shared but one column', async () => {
    await handle.db
      .insert(things)
      .select(unnestRows(things, [{ name: 'e', createdAt: now }], { size: 3, doc: { shared: true } }));
    expect(await stored()).toEqual([
      { name: 'e', size: 3, active: true, doc: { shared: true }, createdAt: now, note: 'none' },
    ]);
  });
});
