import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { testDatabaseUrl } from '../../test/helpers/testDatabase.ts';
import { databaseUrl, prepareDataset, sampleCustomerIds } from '../src/benchDatabase.ts';

const name = `cx_bench_test_${process.pid}`;
const silent = () => {};

// The bench runs subgraphs as separate processes, which needs a real server; PGlite is one process.
describe.skipIf(!testDatabaseUrl)('bench datasets on Postgres', () => {
  afterAll(async () => {
    const admin = postgres(testDatabaseUrl!, { max: 1, onnotice: silent });
    await admin.unsafe(`drop database if exists "${name}" with (force)`);
    await admin.end();
  });

  it('seeds once, reuses a dataset of the right size and reseeds one of another size', async () => {
    const options = { serverUrl: testDatabaseUrl!, database: name, seed: 5, log: silent };
    const first = await prepareDataset({ ...options, customers: 30 });
    expect(first.seeded?.customers).toBe(30);
    expect(first.url).toBe(databaseUrl(testDatabaseUrl!, name));
    const again = await prepareDataset({ ...options, customers: 30 });
    expect(again.seeded).toBeUndefined();
    // A different size truncates and reseeds; the migration journal survives, so migrating again works.
    const smaller = await prepareDataset({ ...options, customers: 12 });
    expect(smaller.seeded?.customers).toBe(12);
    expect((await prepareDataset({ ...options, customers: 12 })).seeded).toBeUndefined();
  });

  it('samples distinct existing customer ids, the same ones for the same seed', async () => {
    const url = databaseUrl(testDatabaseUrl!, name);
    const ids = await sampleCustomerIds(url, 8, 11);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBeGreaterThan(3);
    expect(await sampleCustomerIds(url, 8, 11)).toEqual(ids);
    const sql = postgres(url, { max: 1, onnotice: silent });
    try {
      const rows =
        await sql`select count(*)::int as n from customer.customers where id = any(${ids}::uuid[])`;
      expect(rows[0]!.n).toBe(ids.length);
    } finally {
      await sql.end();
    }
  });
});
