import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { schema as customerSchema } from '@cx/customer';
import { sql } from 'drizzle-orm';
import { Agent, getGlobalDispatcher, request, setGlobalDispatcher } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { phoneNo } from '../../subgraphs/customer/test/operations.ts';
import { contractOperation } from '../helpers/contract.ts';
import { eventually } from '../helpers/eventually.ts';
import {
  type LeadAssignedEvent,
  LeadFactory,
  type StreamSubscriber,
  subscribe,
  wsUrlOf,
} from '../helpers/leadStream.ts';
import { soakSeconds } from '../helpers/reliability.ts';
import { startTestStack, type TestStack } from '../helpers/testStack.ts';
import { authHeader } from '../helpers/tokens.ts';

// A forced collection makes the heap figures comparable; the flag can be set at run time.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const seconds = soakSeconds(20);
const POOL_MAX = 5;
const customer360 = contractOperation('customer360.graphql');
const leadAssigned = contractOperation('leadAssigned.graphql');
type Payload = { leadAssigned: LeadAssignedEvent };

let stack: TestStack;
let ids: string[];

beforeAll(async () => {
  stack = await startTestStack('rel_soak', { customers: 40 });
  ids = (
    await stack.dbs.customer.select({ id: customerSchema.customers.id }).from(customerSchema.customers)
  ).map((r) => r.id);
});

afterAll(async () => {
  await stack?.stop();
});

function heapMb(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed / 1_048_576;
}

async function databaseConnections(): Promise<number | null> {
  if (stack.database.kind !== 'postgres') return null;
  const rows = (await stack.dbs.customer.execute(
    sql`select count(*)::int as n from pg_stat_activity where datname = current_database()`,
  )) as unknown as { n: number }[];
  return rows[0]!.n;
}

function gatewaySockets(): Promise<number> {
  return new Promise((resolve, reject) =>
    stack.gateway.server.getConnections((error, n) => (error ? reject(error) : resolve(n))),
  );
}

describe(`soak: ${seconds} s of mixed 360 queries, ingests and subscriptions`, () => {
  it(
    'keeps errors at zero, the heap flat and connections bounded',
    async () => {
      // Every HTTP client of this test (helpers included) goes through this agent, closed before counting sockets.
      const agent = new Agent({ connections: 8 });
      const previousDispatcher = getGlobalDispatcher();
      setGlobalDispatcher(agent);
      const auth = await authHeader({ role: 'hq_admin' });
      const counts = { queries: 0, ingests: 0, leads: 0, subscriptions: 0, errors: 0 };
      const failures: string[] = [];
      let serial = 0;

      const call = async (query: string, variables: Record<string, unknown>) => {
        const res = await request(stack.gateway.url, {
          dispatcher: agent,
          method: 'POST',
          headers: { 'content-type': 'application/json', ...auth },
          body: JSON.stringify({ query, variables }),
        });
        const body = (await res.body.json()) as { errors?: unknown[] };
        if (res.statusCode !== 200 || body.errors) {
          counts.errors += 1;
          if (failures.length < 5)
            failures.push(`${res.statusCode} ${JSON.stringify(body.errors).slice(0, 300)}`);
        }
      };
      const run = async (until: () => boolean) => {
        const query360 = async () => {
          while (!until()) {
            await call(customer360, { id: ids[Math.floor(Math.random() * ids.length)] });
            counts.queries += 1;
          }
        };
        const ingest = async () => {
          while (!until()) {
            serial += 1;
            const records = Array.from({ length: 5 }, (_, i) => ({
              source: 'APP',
              externalId: `SOAK-${serial}-${i}`,
              name: `Soak ${serial} ${i}`,
              phone: phoneNo(900_000 + serial * 5 + i),
              phoneVerified: i % 2 === 0,
            }));
            await call(
              'mutation ($input: CustomersIngestInput!) { customersIngest(input: $input) { results { outcome } userErrors { code } } }',
              { input: { records } },
            );
            counts.ingests += 1;
          }
        };
        // Dashboards that connect, subscribe and leave, over and over.
        const churn = async () => {
          while (!until()) {
            const sub = subscribe<Payload>(wsUrlOf(stack.gateway.url), leadAssigned);
            await new Promise((r) => setTimeout(r, 150));
            if (sub.errors.length > 0) counts.errors += 1;
            await sub.close();
            counts.subscriptions += 1;
          }
        };
        await Promise.all([query360(), query360(), ingest(), churn()]);
      };

      // Three dashboards stay subscribed the whole time and must see every lead, in order, once.
      const dashboards: StreamSubscriber<Payload>[] = [0, 1, 2].map(() =>
        subscribe<Payload>(wsUrlOf(stack.gateway.url), leadAssigned),
      );
      await eventually(() => expect(stack.gateway.leadStream?.subscribers).toBe(3));
      const leads = new LeadFactory(stack);
      const created: string[] = [];

      // Warm-up: pools, plan caches and JIT reach their working size before the baseline.
      const warmupEnd = Date.now() + Math.min(5, seconds / 4) * 1_000;
      await run(() => Date.now() > warmupEnd);
      const start = { heap: heapMb(), db: await databaseConnections(), errors: counts.errors };
      const soakEnd = Date.now() + seconds * 1_000;
      const leadMaker = (async () => {
        while (Date.now() < soakEnd) {
          const made = await leads.create(1).catch(() => []);
          created.push(...made.map((l) => l.id));
          counts.leads += made.length;
          await new Promise((r) => setTimeout(r, 1_000));
        }
      })();
      // The whole stack shares this thread (and, on PGlite, the database engine): its stalls are the latency floor.
      const lag = monitorEventLoopDelay({ resolution: 20 });
      lag.enable();
      const samples: number[] = [];
      const sampler = setInterval(() => samples.push(process.memoryUsage().heapUsed / 1_048_576), 1_000);
      await Promise.all([run(() => Date.now() > soakEnd), leadMaker]);
      clearInterval(sampler);
      lag.disable();

      for (const d of dashboards) await d.received(created.length, 30_000);
      await Promise.all(dashboards.map((d) => d.close()));
      await agent.close();
      setGlobalDispatcher(previousDispatcher);
      const end = { heap: heapMb(), db: await databaseConnections() };
      await eventually(async () => expect(await gatewaySockets()).toBe(0), 15_000);

      console.log(
        [
          `soak ${seconds} s: ${counts.queries} 360 queries, ${counts.ingests} ingest batches, ${counts.subscriptions} subscriptions opened and closed, ${counts.leads} leads streamed to 3 dashboards`,
          `errors ${counts.errors}${failures.length ? ` (${failures.join(' | ')})` : ''}`,
          `heap after warm-up ${start.heap.toFixed(1)} MB, at end ${end.heap.toFixed(1)} MB (peak ${Math.max(...samples).toFixed(1)} MB, after gc)`,
          `database connections ${start.db ?? 'n/a (PGlite)'} -> ${end.db ?? 'n/a'}, gateway sockets at end ${await gatewaySockets()}`,
          `event-loop delay p99 ${(lag.percentile(99) / 1e6).toFixed(0)} ms, max ${(lag.max / 1e6).toFixed(0)} ms`,
        ].join('\n'),
      );

      expect(counts.errors).toBe(0);
      expect(counts.queries).toBeGreaterThan(0);
      expect(counts.ingests).toBeGreaterThan(0);
      expect(counts.subscriptions).toBeGreaterThan(0);
      // Every dashboard saw every lead, in creation order, none twice.
      for (const d of dashboards) expect(d.results.map((r) => r.data?.leadAssigned.lead.id)).toEqual(created);
      // Flat within a margin for caches that fill with the data the soak itself wrote (ingested customers).
      expect(end.heap - start.heap).toBeLessThan(Math.max(48, start.heap * 0.25));
      // Connections stay within the pools (5 subgraphs x POOL_MAX, plus LISTEN and this query's own).
      if (start.db !== null && end.db !== null) expect(end.db).toBeLessThanOrEqual(5 * POOL_MAX + 3);
    },
    (seconds + 120) * 1_000,
  );
});
