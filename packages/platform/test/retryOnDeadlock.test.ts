import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  type TestDatabase,
  testDatabaseUrl,
} from '../../../test/helpers/testDatabase.ts';
import { createDatabase, type DatabaseHandle } from '../src/db.ts';
import { retryOnDeadlock } from '../src/errors.ts';

/** Two transactions that lock the same two rows in opposite orders: a real deadlock needs two connections. */
describe.skipIf(!testDatabaseUrl)('retryOnDeadlock', () => {
  let database: TestDatabase;
  let handle: DatabaseHandle;

  beforeAll(async () => {
    database = await createTestDatabase('retry_deadlock');
    handle = createDatabase({ url: database.url!, poolMax: 2 });
    await handle.db.execute(sql`create table locks_test (id int primary key, n int not null)`);
    await handle.db.execute(sql`insert into locks_test values (1, 0), (2, 0)`);
  });

  afterAll(async () => {
    await handle?.close();
    await database?.drop();
  });

  it('runs the transaction Postgres failed to break a deadlock again, and both changes land', async () => {
    let attempts = 0;
    // Each side takes its first lock, then waits until the other holds its own before asking for it.
    let arrived = 0;
    let release: () => void = () => {};
    const bothHoldOne = new Promise<void>((resolve) => {
      release = resolve;
    });
    const side = (first: number, second: number) =>
      retryOnDeadlock(() =>
        handle.db.transaction(async (tx) => {
          attempts += 1;
          await tx.execute(sql`update locks_test set n = n + 1 where id = ${first}`);
          arrived += 1;
          if (arrived === 2) release();
          await bothHoldOne;
          await tx.execute(sql`update locks_test set n = n + 1 where id = ${second}`);
        }),
      );
    await Promise.all([side(1, 2), side(2, 1)]);
    expect(attempts).toBe(3);
    const rows = (await handle.db.execute(sql`select id, n from locks_test order by id`)) as unknown as {
      id: number;
      n: number;
    }[];
    expect(rows.map((r) => [r.id, r.n])).toEqual([
      [1, 2],
      [2, 2],
    ]);
  });

  it('lets any other error through at once', async () => {
    let attempts = 0;
    await expect(
      retryOnDeadlock(async () => {
        attempts += 1;
        await handle.db.execute(sql`select 1 / 0`);
      }),
    ).rejects.toMatchObject({ cause: { code: '22012' } }); // division_by_zero, wrapped by drizzle
    expect(attempts).toBe(1);
  });
});
