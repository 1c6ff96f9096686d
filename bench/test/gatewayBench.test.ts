import { subgraphNames } from '@cx/platform';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../../test/helpers/testStack.ts';
import { authHeader, testInternalAuthSecret } from '../../test/helpers/tokens.ts';
import { sampleCustomerIds } from '../src/benchDatabase.ts';
import { fetchFloor360, loadFloorLookups, type QueryFn } from '../src/floor.ts';
import { runHttpLoad } from '../src/load.ts';
import { bodiesFor, fetch360s, skeleton } from '../src/scenarios.ts';
import { type GatewayProcess, startGatewayProcess } from '../src/servers.ts';

/**
 * The bench's moving parts against a real stack: the floor returns what the gateway returns,
 * the load generator counts what it sends, and both baseline gateways serve identical data.
 */
describe('bench building blocks', () => {
  let stack: TestStack;
  let ids: string[];
  let query: Record<(typeof subgraphNames)[number], QueryFn>;
  let closeQuery: () => Promise<unknown> = async () => {};
  // The test stack's gateway trusts the test JWT settings, not the bench's environment.
  let headers: Record<string, string>;

  beforeAll(async () => {
    stack = await startTestStack('bench_blocks', { customers: 40 });
    headers = await authHeader({ role: 'hq_admin' });
    if (stack.database.url) {
      const sql = postgres(stack.database.url, { max: 4, onnotice: () => {} });
      const fn: QueryFn = (text, params) => sql.unsafe(text, params as never[]);
      query = Object.fromEntries(subgraphNames.map((n) => [n, fn])) as typeof query;
      closeQuery = () => sql.end();
      ids = await sampleCustomerIds(stack.database.url, 12, 3);
    } else {
      const pglite = stack.database.pglite!;
      const fn: QueryFn = async (text, params) =>
        (await pglite.query<Record<string, unknown>>(text, params)).rows;
      query = Object.fromEntries(subgraphNames.map((n) => [n, fn])) as typeof query;
      const rows = await fn('select id::text as id from customer.customers order by id limit 12', []);
      ids = rows.map((r) => String(r.id));
    }
  });
  afterAll(async () => {
    await closeQuery();
    await stack?.stop();
  });

  it('the floor fetches the same customers, lists, counts and order as the 360 query', async () => {
    const lookups = await loadFloorLookups(query);
    const viaGateway = await fetch360s(stack.gateway.url, ids, headers);
    for (let i = 0; i < ids.length; i += 1) {
      const floor = await fetchFloor360(query, lookups, ids[i]!);
      expect(skeleton(floor)).toEqual(skeleton(viaGateway[i]));
    }
    expect(await fetchFloor360(query, lookups, '00000000-0000-4000-8000-000000000000')).toBeNull();
  });

  it('the load generator counts completed requests, their latencies and their errors', async () => {
    // Long enough for a few completions even on a busy 2-core machine with PGlite.
    const settings = { concurrency: 2, warmupSeconds: 0.5, durationSeconds: 4 };
    const ok = await runHttpLoad({ ...settings, url: stack.gateway.url, bodies: bodiesFor(ids), headers });
    expect(ok.requests).toBeGreaterThan(0);
    expect(ok.errors).toBe(0);
    expect(ok.throughput).toBeCloseTo(ok.requests / ok.seconds, 6);
    expect(ok.p50Ms).toBeLessThanOrEqual(ok.p99Ms);
    expect(ok.p99Ms).toBeLessThanOrEqual(ok.maxMs);

    const bad = await runHttpLoad({
      ...settings,
      url: stack.gateway.url,
      bodies: bodiesFor(['not-a-uuid']),
      headers,
    });
    expect(bad.requests).toBeGreaterThan(0);
    expect(bad.errors).toBe(bad.requests);
    expect(bad.firstError).toContain('errors');
  });

  it('stock Apollo and Hive gateways, forked with the CPU probe, serve the same 360 data', async () => {
    const urls = Object.fromEntries(subgraphNames.map((n) => [n, stack.subgraphs[n].url])) as Record<
      (typeof subgraphNames)[number],
      string
    >;
    const reference = JSON.stringify(await fetch360s(stack.gateway.url, ids.slice(0, 4), headers));
    for (const kind of ['apollo', 'hive'] as const) {
      let gateway: GatewayProcess | undefined;
      try {
        // The test stack's subgraphs only accept the test secret's signed header.
        gateway = await startGatewayProcess(kind, urls, { INTERNAL_AUTH_SECRET: testInternalAuthSecret });
        const before = await gateway.cpu();
        expect(JSON.stringify(await fetch360s(gateway.url, ids.slice(0, 4)))).toBe(reference);
        const after = await gateway.cpu();
        expect(after.user + after.system).toBeGreaterThan(before.user + before.system);
      } finally {
        await gateway?.stop();
      }
    }
  });
});
