import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  type TestDatabase,
  testDatabaseUrl,
  testDirectDatabaseUrl,
} from '../../../test/helpers/testDatabase.ts';
import { createDatabase, type DatabaseHandle } from '../src/db.ts';

/**
 * Behind PgBouncer 1.18 in transaction mode a query pipelined behind another on one client
 * connection lost its answer: PgBouncer returned the server connection to its pool at the first
 * ReadyForQuery and dropped the rest ("got packet ... when not linked"), and the caller waited
 * forever. A lead-stream subscriber resumed after a gateway restart hung that way. With a pool
 * far smaller than the number of concurrent queries, every one of them must still be answered.
 */
const viaPgBouncer = Boolean(
  testDatabaseUrl && testDirectDatabaseUrl && testDatabaseUrl !== testDirectDatabaseUrl,
);

/** Runs on Postgres only, where postgres.js returns the rows as an array. */
function firstN(result: unknown): number {
  return Number((result as { n: number }[])[0]!.n);
}

function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

describe.skipIf(!testDatabaseUrl)('a small pool under many concurrent queries', () => {
  let database: TestDatabase;
  let handle: DatabaseHandle;

  beforeAll(async () => {
    database = await createTestDatabase('pooled_connections');
    handle = createDatabase({ url: database.url!, poolMax: 2 });
  });

  afterAll(async () => {
    await handle?.close();
    await database?.drop();
  });

  it(`answers every query and transaction${viaPgBouncer ? ' through PgBouncer' : ''}`, async () => {
    // postgres.js pipelines only behind a statement without parameters (one with parameters is
    // described first and holds its connection): alternate the two kinds.
    const queries = Array.from({ length: 300 }, (_, i) =>
      handle.db.execute(i % 2 === 0 ? sql.raw(`select ${i} as n`) : sql`select ${i}::int as n`).then(firstN),
    );
    // Transactions reserve their connection (postgres.js's onexecute hook) between the queries.
    const transactions = Array.from({ length: 20 }, (_, i) =>
      handle.db.transaction(async (tx) => firstN(await tx.execute(sql`select ${1000 + i}::int as n`))),
    );
    const answers = await within(30_000, Promise.all([...queries, ...transactions]));
    expect(answers).toEqual([
      ...Array.from({ length: 300 }, (_, i) => i),
      ...Array.from({ length: 20 }, (_, i) => 1000 + i),
    ]);
  });
});
