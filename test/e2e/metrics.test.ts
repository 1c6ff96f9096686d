import { createServer } from 'node:http';
import { serveMetrics } from '@cx/platform/telemetry/http';
import { Metrics } from '@cx/platform/telemetry/metrics';
import { schema as salesSchema } from '@cx/sales';
import { and, eq } from 'drizzle-orm';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractOperation } from '../helpers/contract.ts';
import { eventually } from '../helpers/eventually.ts';
import { LeadFactory, subscribe, wsUrlOf } from '../helpers/leadStream.ts';
import { captureLogs } from '../helpers/logCapture.ts';
import { richCustomerId } from '../helpers/richCustomer.ts';
import { startTestStack, type TestStack } from '../helpers/testStack.ts';
import { authHeader } from '../helpers/tokens.ts';

const customer360 = contractOperation('customer360.graphql');
const leadAssigned = contractOperation('leadAssigned.graphql');
const subgraphs = ['customer', 'vehicle', 'sales', 'service', 'feedback'] as const;

/** GET /metrics of a server, given its /graphql URL; no Authorization header. */
async function scrape(graphqlUrl: string, headers: Record<string, string> = {}) {
  const res = await request(new URL('/metrics', graphqlUrl), { headers });
  return { status: res.statusCode, type: String(res.headers['content-type']), text: await res.body.text() };
}

/** The value of one sample, e.g. sample(text, 'cx_db_pool_max') or with its exact label set. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(',');
  const line = text
    .split('\n')
    .find((l) => (wanted ? l.startsWith(`${name}{${wanted}}`) : l.startsWith(`${name} `)));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('/metrics on the gateway and every subgraph (Prometheus text format)', () => {
  let stack: TestStack;
  let customerId: string;
  // Tracing is off in this file (no provider): logs still carry the request id across the hop.
  const { destination, lines } = captureLogs();

  beforeAll(async () => {
    stack = await startTestStack('metrics', { customers: 30, logs: { level: 'debug', destination } });
    customerId = await richCustomerId(stack);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('counts and times each operation at the gateway, and each subgraph fetch', async () => {
    for (let i = 0; i < 2; i++) {
      const res = await stack.graphql(customer360, { id: customerId });
      expect(res.errors).toBeUndefined();
    }
    const invalid = await stack.graphql('query Broken { noSuchField }');
    expect(invalid.errors).toBeDefined();

    // No JWT needed, like /healthz.
    const gw = await scrape(stack.gateway.url);
    expect(gw.status).toBe(200);
    expect(gw.type).toContain('text/plain');
    expect(sample(gw.text, 'cx_graphql_requests_total', { operation: 'Customer360', outcome: 'ok' })).toBe(2);
    expect(sample(gw.text, 'cx_graphql_request_duration_seconds_count', { operation: 'Customer360' })).toBe(
      2,
    );
    expect(
      sample(gw.text, 'cx_graphql_request_duration_seconds_sum', { operation: 'Customer360' }),
    ).toBeGreaterThan(0);
    // Validation failed before the operation was resolved: the name in the body decides, and there is none.
    expect(sample(gw.text, 'cx_graphql_requests_total', { operation: 'anonymous', outcome: 'error' })).toBe(
      1,
    );
    for (const name of subgraphs) {
      expect(
        sample(gw.text, 'cx_subgraph_fetches_total', { subgraph: name, outcome: 'ok' }),
      ).toBeGreaterThanOrEqual(2);
      expect(
        sample(gw.text, 'cx_subgraph_fetch_duration_seconds_count', { subgraph: name }),
      ).toBeGreaterThanOrEqual(2);
    }
    expect(sample(gw.text, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
  });

  it('shows request, SQL, pool and outbox figures on each subgraph', async () => {
    const expectedPool = stack.databases.customer.kind === 'pglite' ? 1 : 5;
    for (const name of subgraphs) {
      const { status, text } = await scrape(stack.subgraphs[name].url);
      expect(status).toBe(200);
      // The query planner names subgraph operations after the client's: Customer360__<subgraph>__<n>.
      expect(text).toMatch(
        new RegExp(
          `cx_graphql_requests_total\\{operation="Customer360__${name}__\\d+",outcome="ok"\\} [1-9]`,
        ),
      );
      expect(sample(text, 'cx_db_query_duration_seconds_count', { operation: 'select' })).toBeGreaterThan(0);
      expect(sample(text, 'cx_db_pool_max')).toBe(expectedPool);
      const inUse = sample(text, 'cx_db_pool_in_use');
      expect(inUse).toBeGreaterThanOrEqual(0);
      expect(inUse).toBeLessThanOrEqual(expectedPool);
      expect(sample(text, 'cx_db_transactions_open')).toBeGreaterThanOrEqual(0);
      // Each server shows its own registry: no gateway series on a subgraph.
      expect(text).not.toContain('cx_subgraph_fetch');
    }
    // The relays drain every outbox: the lag settles at 0.
    await eventually(async () => {
      for (const name of subgraphs) {
        const { text } = await scrape(stack.subgraphs[name].url);
        const lag = sample(text, 'cx_outbox_lag_events', { outbox: name });
        if (name !== 'sales' || lag !== undefined) expect(lag).toBe(0);
      }
      const sales = await scrape(stack.subgraphs.sales.url);
      expect(sample(sales.text, 'cx_outbox_lag_events', { outbox: 'sales.lead_stream' })).toBe(0);
      expect(sample(sales.text, 'cx_sla_breaches_total')).toBe(0);
    }, 15_000);
  });

  it('counts open lead-stream subscriptions at the gateway', async () => {
    const sub = subscribe(wsUrlOf(stack.gateway.url), leadAssigned);
    try {
      await eventually(async () => {
        expect(sample((await scrape(stack.gateway.url)).text, 'cx_lead_stream_subscriptions')).toBe(1);
      });
    } finally {
      await sub.close();
    }
    await eventually(async () => {
      expect(sample((await scrape(stack.gateway.url)).text, 'cx_lead_stream_subscriptions')).toBe(0);
    });
  });

  it("puts the gateway request id on the subgraphs' log lines, with tracing off", async () => {
    const res = await request(stack.gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await authHeader({ role: 'hq_analyst' })) },
      body: JSON.stringify({ query: customer360, variables: { id: customerId } }),
    });
    expect(res.statusCode).toBe(200);
    await res.body.dump();
    // Generated by the gateway, returned to the client and sent on to every subgraph.
    const requestId = String(res.headers['x-request-id']);
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    await eventually(() => {
      const mine = lines.filter((l) => l.requestId === requestId && l.msg === 'graphql request');
      // The plan calls some subgraphs more than once: each call logs a line.
      expect([...new Set(mine.map((l) => l.service))].sort()).toEqual(['gateway', ...subgraphs].sort());
      for (const line of mine) expect(line.traceId).toBeUndefined();
    });
  });

  it('counts SLA breaches as the sales sweeper escalates them', async () => {
    const [lead] = await new LeadFactory(stack).create(1);
    const t = salesSchema.slaTimers;
    // The assignment armed a first-contact timer; make it overdue, as if nobody called in time.
    const armed = await stack.dbs.sales
      .update(t)
      .set({ dueAt: new Date(Date.now() - 60_000) })
      .where(and(eq(t.leadId, lead!.id), eq(t.kind, 'ESCALATE'), eq(t.state, 'PENDING')))
      .returning({ id: t.id });
    expect(armed).toHaveLength(1);
    // The subgraph's own sweeper polls every few seconds.
    await eventually(async () => {
      const { text } = await scrape(stack.subgraphs.sales.url);
      expect(sample(text, 'cx_sla_breaches_total')).toBe(1);
    }, 20_000);
  });

  it('counts failed fetches per subgraph when one is down', async () => {
    await stack.subgraphs.feedback.close();
    const res = await stack.graphql(customer360, { id: customerId });
    // The other subgraphs still answer; feedback's fields carry an error.
    expect(res.data?.customer).toBeTruthy();
    expect(res.errors?.length).toBeGreaterThan(0);
    const { text } = await scrape(stack.gateway.url);
    expect(
      sample(text, 'cx_subgraph_fetches_total', { subgraph: 'feedback', outcome: 'error' }),
    ).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'cx_graphql_requests_total', { operation: 'Customer360', outcome: 'error' })).toBe(1);
  });
});

describe('METRICS_TOKEN', () => {
  it('requires the bearer token when one is configured', async () => {
    const metrics = new Metrics();
    metrics.counter('cx_test_total', 'A test counter.').inc(3);
    const token = 'metrics-token-0123456789';
    const server = createServer((req, res) => void serveMetrics(req, res, metrics, token));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address() as { port: number };
    const url = `http://127.0.0.1:${address.port}/graphql`;
    try {
      expect((await scrape(url)).status).toBe(401);
      expect((await scrape(url, { authorization: 'Bearer wrong-token' })).status).toBe(401);
      const ok = await scrape(url, { authorization: `Bearer ${token}` });
      expect(ok.status).toBe(200);
      expect(sample(ok.text, 'cx_test_total')).toBe(3);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
