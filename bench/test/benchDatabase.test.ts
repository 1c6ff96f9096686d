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

  it('leaves freshly seeded tables indexed, vacuumed and analyzed, so index-only scans skip the heap', async () => {
    const sql = postgres(databaseUrl(testDatabaseUrl!, name), { max: 1, onnotice: silent });
    try {
      // The seed drops secondary indexes for the load and builds them again afterwards.
      const indexes = await sql<{ name: string }[]>`
        select indexname as name from pg_indexes where schemaname = 'customer'
          and indexname in ('tags_key_customer_idx', 'consents_granted_idx', 'customers_live_created_idx')`;
      expect(indexes.map((i) => i.name).sort()).toEqual([
        'consents_granted_idx',
        'customers_live_created_idx',
        'tags_key_customer_idx',
      ]);
      const rows = await sql<{ table: string; pages: number; visible: number; analyzed: boolean }[]>`
        select c.relname as table, c.relpages as pages, c.relallvisible as visible,
          s.last_analyze is not null or s.last_autoanalyze is not null as analyzed
        from pg_class c join pg_stat_user_tables s on s.relid = c.oid
        where s.schemaname = 'customer' and c.relname in ('customers', 'tags', 'consents')`;
      expect(rows).toHaveLength(3);
      for (const row of rows) {
        expect(row.pages, row.table).toBeGreaterThan(0);
        expect(row.visible, row.table).toBe(row.pages);
        expect(row.analyzed, row.table).toBe(true);
      }
    } finally {
      await sql.end();
    }
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
