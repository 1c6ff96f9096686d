import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { pgSchema, timestamp, uuid } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/testDatabase.ts';
import { createDatabase, type DatabaseHandle } from '../src/db.ts';
import { customerAliasExpansion, defineCustomerAliases } from '../src/events/customerAliases.ts';
import { countByParent, type KeyedListSpec, selectPagesByParent } from '../src/pagination.ts';

const schema = pgSchema('pages_test');
const items = schema.table('items', {
  id: uuid('id').primaryKey(),
  ownerId: uuid('owner_id').notNull(),
  at: timestamp('at', { withTimezone: true }).notNull(),
});
const aliases = defineCustomerAliases(schema);
type Item = typeof items.$inferSelect;

const plain: KeyedListSpec = { table: items, parent: items.ownerId, order: items.at, id: items.id };
const expanded: KeyedListSpec = { ...plain, expand: customerAliasExpansion(aliases, items.ownerId) };

/** Page-by-parent reads, alone and through the merged-customer alias map, against a real database. */
describe('selectPagesByParent', () => {
  let database: TestDatabase;
  let handle: DatabaseHandle;
  const [survivor, merged, other, lonely] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
  const rows: Item[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('pages');
    handle = createDatabase({ url: database.url, pglite: database.pglite, poolMax: 1 });
    const { db } = handle;
    await db.execute(sql`create schema pages_test`);
    await db.execute(
      sql`create table pages_test.items (id uuid primary key, owner_id uuid not null, at timestamptz not null)`,
    );
    await db.execute(sql`create index on pages_test.items (owner_id, at desc, id desc)`);
    await db.execute(
      sql`create table pages_test.customer_alias (merged_id uuid primary key, survivor_id uuid not null, via_id uuid not null, merge_id uuid not null, updated_at timestamptz not null default now())`,
    );
    // Interleaved in time: the survivor's page must mix its own rows with the merged id's.
    const owners = [survivor, merged, other, survivor, merged, other, survivor, merged];
    owners.forEach((ownerId, i) => {
      rows.push({ id: randomUUID(), ownerId, at: new Date(Date.UTC(2026, 0, 1 + i)) });
    });
    await db.insert(items).values(rows);
    await db
      .insert(aliases)
      .values({ mergedId: merged, survivorId: survivor, viaId: survivor, mergeId: randomUUID() });
  });

  afterAll(async () => {
    await handle?.close();
    await database?.drop();
  });

  const newestFirst = (owners: string[]) =>
    rows.filter((r) => owners.includes(r.ownerId)).sort((a, b) => b.at.getTime() - a.at.getTime());

  it('gives every parent its own newest rows, one more than the page for hasNextPage', async () => {
    const pages = await selectPagesByParent<Item>(handle.db, plain, [survivor, other, lonely], {
      first: 2,
      after: null,
    });
    expect(pages.get(survivor)).toEqual(newestFirst([survivor]).slice(0, 3));
    expect(pages.get(other)).toEqual(newestFirst([other]).slice(0, 3));
    expect(pages.get(lonely)).toEqual([]);
  });

  it('continues after a cursor', async () => {
    const [first, second] = newestFirst([survivor]);
    const pages = await selectPagesByParent<Item>(handle.db, plain, [survivor], {
      first: 5,
      after: { at: first!.at, id: first!.id },
    });
    expect(pages.get(survivor)?.[0]).toEqual(second);
    expect(pages.get(survivor)).toHaveLength(2);
  });

  it("answers for a survivor with its merged ids' rows, newest first and cut to the page", async () => {
    const pages = await selectPagesByParent<Item>(handle.db, expanded, [survivor, other], {
      first: 3,
      after: null,
    });
    expect(pages.get(survivor)).toEqual(newestFirst([survivor, merged]).slice(0, 4));
    expect(pages.get(other)).toEqual(newestFirst([other]).slice(0, 4));
    expect((await countByParent(handle.db, expanded, [survivor])).get(survivor)).toBe(6);
  });

  it('gives a merged-away id nothing of its own, as its survivor answers for it', async () => {
    const pages = await selectPagesByParent<Item>(handle.db, expanded, [merged], { first: 3, after: null });
    expect(pages.get(merged)).toEqual([]);
  });
});
