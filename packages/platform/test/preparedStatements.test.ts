import { sql } from 'drizzle-orm';
import { pgSchema, text } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, type TestDatabase, testDatabaseUrl } from '../../../test/helpers/testDatabase.ts';
import { anyOfPlaceholder, driverValues } from '../src/anyOf.ts';
import { createDatabase, type DatabaseHandle } from '../src/db.ts';
import { preparedStatement } from '../src/prepared.ts';

const schema = pgSchema('prepared_test');
const things = schema.table('things', { id: text('id').primaryKey(), label: text('label').notNull() });

function thingsByIds(handle: DatabaseHandle, ids: readonly string[]) {
  const { db } = handle;
  return preparedStatement(db, 'thingsByIds', () =>
    db.select().from(things).where(anyOfPlaceholder(things.id, 'ids')).orderBy(things.id),
  ).execute({ ids: driverValues(things.id, ids) });
}

describe('prepared statements', () => {
  let handle: DatabaseHandle;
  let database: TestDatabase;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ handle, database, close } = await openTestDatabase('prepared', [
      'create schema prepared_test',
      'create table prepared_test.things (id text primary key, label text not null)',
    ]));
    await handle.db.insert(things).values([
      { id: 'a', label: 'A' },
      { id: 'b', label: 'B' },
      { id: 'c', label: 'C' },
    ]);
  });

  afterAll(() => close?.());

  it('builds the SQL once and fills in new values on every call', async () => {
    expect(await thingsByIds(handle, ['a', 'c'])).toEqual([
      { id: 'a', label: 'A' },
      { id: 'c', label: 'C' },
    ]);
    expect(await thingsByIds(handle, ['b'])).toEqual([{ id: 'b', label: 'B' }]);
    expect(await thingsByIds(handle, ['x'])).toEqual([]);
    const statement = preparedStatement(handle.db, 'thingsByIds', () => {
      throw new Error('built twice');
    });
    expect(statement).toBeDefined();
  });

  // Behind PgBouncer (a `prepare=false` test URL) nothing is prepared, which the second half checks.
  it.runIf(testDatabaseUrl !== undefined && !/[?&]prepare=false/.test(testDatabaseUrl))(
    'keeps the statements Drizzle builds as named prepared statements on the connection, unless the URL says prepare=false',
    async () => {
      const named = async (h: DatabaseHandle) => {
        // Both the lookup and the drizzle select below run through Drizzle's prepared-query path.
        await thingsByIds(h, ['a']);
        await h.db.select().from(things).where(sql`${things.id} = ${'b'}`);
        // The pool has one connection, so this sees the statements the queries above left on it.
        // postgres.js answers db.execute with an array of rows.
        const rows = (await h.db.execute(
          sql`select statement from pg_prepared_statements where statement like '%"things"%' and statement not like '%pg_prepared_statements%'`,
        )) as unknown as { statement: string }[];
        return rows.map((r) => r.statement);
      };
      expect(await named(handle)).toEqual(
        expect.arrayContaining([
          expect.stringContaining('= any($1::text[])'),
          expect.stringContaining('"things"."id" = $1'),
        ]),
      );
      const url = new URL(database.url!);
      url.searchParams.set('prepare', 'false');
      const unprepared = createDatabase({ url: url.toString(), poolMax: 1 });
      try {
        expect(await named(unprepared)).toEqual([]);
      } finally {
        await unprepared.close();
      }
    },
  );
});
