import { readFileSync } from 'node:fs';
import { createGatewaySecurity, type RunningGateway, startGateway } from '@cx/gateway';
import {
  createDatabase,
  createLogger,
  type DatabaseHandle,
  type DomainEvent,
  type NatsBus,
  publishEvents,
  subgraphNames,
} from '@cx/platform';
import { schema as salesSchema } from '@cx/sales';
import { runSlaSweep } from '@cx/sales/sla/sweep';
import { and, eq, gt, inArray, isNull, sql } from 'drizzle-orm';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forkServer, freePort, type ServerProcess } from '../../bench/src/children.ts';
import { type LeadInput, leadInputs } from '../../bench/src/leadInputs.ts';
import { subgraphEntry } from '../../bench/src/paths.ts';
import { supergraphPath } from '../../scripts/lib/composition.ts';
import { subgraphModules } from '../../scripts/lib/stack.ts';
import { contractOperation } from '../helpers/contract.ts';
import { eventually } from '../helpers/eventually.ts';
import {
  type LeadAssignedEvent,
  LeadFactory,
  postGraphql,
  subscribe,
  wsUrlOf,
} from '../helpers/leadStream.ts';
import { testDatabaseUrl } from '../helpers/testDatabase.ts';
import {
  connectTestBus,
  deleteTestStream,
  natsAvailable,
  testNatsUrl,
  testStreamNames,
} from '../helpers/testNats.ts';
import { startTestStack, type TestStack, testPiiSecret, testSecurity } from '../helpers/testStack.ts';
import { testInternalAuthSecret } from '../helpers/tokens.ts';

/**
 * Scale-out on one real Postgres: gateway A routes sales to sales replica 1 (in this process) and
 * gateway B to sales replica 2, a child process started like `npm start -w @cx/sales` (its own
 * pool, LISTEN connection, NATS connection and SLA sweeper, configured through the environment);
 * the other subgraphs run once. The replicas only meet through Postgres and NATS JetStream.
 */
const nats = await natsAvailable();
const reason = !testDatabaseUrl
  ? 'replicas need one real Postgres (set TEST_DATABASE_URL; PGlite is single-process)'
  : !nats
    ? `no NATS JetStream at ${testNatsUrl} (CI starts one)`
    : null;
if (reason) console.warn(`replicas.test.ts: SKIPPED, ${reason}`);

const leadAssigned = contractOperation('leadAssigned.graphql');
type Payload = { leadAssigned: LeadAssignedEvent };
const logger = createLogger('replicas', 'silent');

describe.skipIf(reason !== null)('two gateway and two sales replicas on one Postgres', () => {
  const names = testStreamNames('replicas');
  let stack: TestStack;
  let gatewayA: RunningGateway;
  let gatewayB: RunningGateway;
  let sales2: ServerProcess;
  /** A pool of the test's own: reads of the bus and the extra sweeps. */
  let probe: DatabaseHandle;
  let bus: NatsBus;
  let leads: LeadFactory;

  beforeAll(async () => {
    stack = await startTestStack('replicas', { customers: 40, nats: { url: testNatsUrl, ...names } });
    gatewayA = stack.gateway;
    const port = await freePort();
    sales2 = await forkServer({
      name: 'sales replica 2',
      entry: subgraphEntry('sales'),
      env: {
        NODE_ENV: 'test',
        LOG_LEVEL: 'warn',
        HOST: '127.0.0.1',
        SALES_PORT: String(port),
        SALES_DATABASE_URL: stack.database.url!,
        SALES_DATABASE_DIRECT_URL: stack.database.directUrl!,
        SALES_DB_POOL_MAX: '5',
        NATS_URL: testNatsUrl,
        NATS_STREAM: names.stream,
        INTERNAL_AUTH_SECRET: testInternalAuthSecret,
        PII_SECRET: testPiiSecret,
      },
      ready: async () => (await request(`http://127.0.0.1:${port}/readyz`)).statusCode === 200,
    });
    gatewayB = await startGateway({
      supergraphSdl: readFileSync(supergraphPath, 'utf8'),
      subgraphUrls: {
        ...Object.fromEntries(subgraphNames.map((n) => [n, stack.subgraphs[n].url])),
        sales: `http://127.0.0.1:${port}/graphql`,
      },
      logger,
      security: createGatewaySecurity(testSecurity()),
    });
    probe = createDatabase({ url: stack.database.url, poolMax: 2 });
    bus = await connectTestBus(names, { logger });
    leads = new LeadFactory(stack);
  }, 180_000);

  afterAll(async () => {
    await gatewayB?.close();
    await sales2?.stop();
    await bus?.close();
    await probe?.close();
    await stack?.stop();
    await deleteTestStream(names.stream);
  });

  /** Positions of the lead-assignment stream after `after`, as the sales outbox holds them. */
  async function streamPositions(after: number): Promise<number[]> {
    const rows = await stack.dbs.sales
      .select({ position: salesSchema.outbox.position })
      .from(salesSchema.outbox)
      .where(and(eq(salesSchema.outbox.topic, 'lead.assigned'), gt(salesSchema.outbox.position, after)))
      .orderBy(salesSchema.outbox.position);
    return rows.map((r) => r.position!);
  }

  it('streams every assignment made through either gateway to a dashboard on each, in order, none twice', async () => {
    const [top] = await stack.dbs.sales
      .select({ latest: sql<number>`coalesce(max(${salesSchema.outbox.position}), 0)`.mapWith(Number) })
      .from(salesSchema.outbox);
    const after = top!.latest;
    const onA = subscribe<Payload>(wsUrlOf(gatewayA.url), leadAssigned, { after: String(after) });
    const onB = subscribe<Payload>(wsUrlOf(gatewayB.url), leadAssigned, { after: String(after) });
    // Both gateways at once, then alternating: assignments commit on both replicas interleaved.
    const [viaA, viaB] = await Promise.all([leads.create(5, gatewayA.url), leads.create(5, gatewayB.url)]);
    const alternating: typeof viaA = [];
    for (let i = 0; i < 4; i += 1)
      alternating.push(...(await leads.create(1, i % 2 ? gatewayB.url : gatewayA.url)));
    const created = [...viaA, ...viaB, ...alternating];

    const cursorsOf = (sub: typeof onA) =>
      sub.results.flatMap((r) => (r.data ? [Number(r.data.leadAssigned.cursor)] : []));
    const idsOf = (sub: typeof onA) =>
      sub.results.flatMap((r) => (r.data ? [r.data.leadAssigned.lead.id] : []));
    const expected = await eventually(async () => {
      const positions = await streamPositions(after);
      expect(cursorsOf(onA)).toEqual(positions);
      expect(cursorsOf(onB)).toEqual(positions);
      for (const lead of created) expect(idsOf(onA)).toContain(lead.id);
      return positions;
    }, 30_000);
    // Nothing more arrives later: no event twice.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(cursorsOf(onA)).toEqual(expected);
    expect(cursorsOf(onB)).toEqual(expected);
    expect(new Set(idsOf(onA)).size).toBe(expected.length);
    expect(idsOf(onB)).toEqual(idsOf(onA));
    expect(onA.errors).toEqual([]);
    await onA.close();
    await onB.close();
  });

  it('positions every stream row once and publishes every event id once on the bus with both sales relays running', async () => {
    // Lead-stream outbox: each row got exactly one position, gap-free, whichever replica's relay won the lock.
    await Promise.all([leads.create(4, gatewayA.url), leads.create(4, gatewayB.url)]);
    await eventually(async () => {
      const [pending] = await stack.dbs.sales
        .select({ n: sql<number>`count(*)`.mapWith(Number) })
        .from(salesSchema.outbox)
        .where(isNull(salesSchema.outbox.position));
      expect(pending!.n).toBe(0);
    }, 15_000);
    const [positions] = await stack.dbs.sales
      .select({
        rows: sql<number>`count(*)`.mapWith(Number),
        distinct: sql<number>`count(distinct ${salesSchema.outbox.position})`.mapWith(Number),
        max: sql<number>`coalesce(max(${salesSchema.outbox.position}), 0)`.mapWith(Number),
      })
      .from(salesSchema.outbox);
    expect(positions!.distinct).toBe(positions!.rows);
    expect(positions!.max).toBe(positions!.rows);

    // Domain events: both sales replicas run a relay over sales' event outbox. Events committed
    // concurrently while both relays poll must each reach the stream once.
    const salesEvents = subgraphModules.sales.events?.tables;
    if (salesEvents) {
      await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          stack.dbs.sales.transaction((tx) =>
            publishEvents(
              tx,
              salesEvents,
              [0, 1, 2].map((j) => ({ topic: 'replicas.probe', key: `k${i}`, payload: { i, j } })),
            ),
          ),
        ),
      );
    } else {
      console.warn('replicas.test.ts: the sales subgraph has no event outbox; its relay is not exercised');
    }
    // Every outbox row of every subgraph is positioned and in the stream exactly once.
    const published = new Map<string, number>();
    await eventually(async () => {
      const outboxIds: string[] = [];
      for (const name of subgraphNames) {
        const tables = subgraphModules[name].events?.tables;
        if (!tables) continue;
        const rows = await stack.dbs[name]
          .select({ id: tables.outbox.eventId, position: tables.outbox.position })
          .from(tables.outbox);
        expect(rows.filter((r) => r.position === null)).toEqual([]);
        outboxIds.push(...rows.map((r) => r.id));
      }
      published.clear();
      for (const event of await readStream(bus, names.stream))
        published.set(event.id, (published.get(event.id) ?? 0) + 1);
      expect([...published.keys()].sort()).toEqual(outboxIds.sort());
    }, 30_000);
    expect([...published.values()].every((n) => n === 1)).toBe(true);
    if (salesEvents) {
      expect(published.size).toBeGreaterThanOrEqual(30);
      const [gapFree] = await stack.dbs.sales
        .select({
          rows: sql<number>`count(*)`.mapWith(Number),
          max: sql<number>`coalesce(max(${salesEvents.outbox.position}), 0)`.mapWith(Number),
        })
        .from(salesEvents.outbox);
      expect(gapFree!.max).toBe(gapFree!.rows);
    }
  });

  it('creates one open lead when the same customer and model arrive concurrently through both replicas', async () => {
    const input = await freshLeadInput();
    const mutation = `mutation ($input: LeadCreateInput!) {
      leadCreate(input: $input) { lead { id status } userErrors { field code message } }
    }`;
    type Created = { leadCreate: { lead: { id: string } | null; userErrors: unknown[] } };
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        postGraphql<Created>(i % 2 ? gatewayB.url : gatewayA.url, mutation, { input }),
      ),
    );
    for (const r of results) {
      expect(r.errors).toBeUndefined();
      expect(r.data!.leadCreate.userErrors).toEqual([]);
    }
    const ids = new Set(results.map((r) => r.data!.leadCreate.lead!.id));
    expect(ids.size).toBe(1);
    const rows = await stack.dbs.sales
      .select({ id: salesSchema.leads.id })
      .from(salesSchema.leads)
      .where(
        and(
          eq(salesSchema.leads.customerId, input.customerId),
          eq(salesSchema.leads.modelCode, input.modelCode),
        ),
      );
    expect(rows.map((r) => r.id)).toEqual([...ids]);
  });

  it('fires each due SLA timer once with both sales replicas sweeping', async () => {
    const created = await leads.create(6, gatewayB.url);
    const leadIds = created.map((l) => l.id);
    const t = salesSchema.slaTimers;
    const pending = and(inArray(t.leadId, leadIds), eq(t.kind, 'ESCALATE'), eq(t.state, 'PENDING'));
    // Each assignment armed a first-contact timer; make them overdue, as if nobody called in time.
    const armed = await stack.dbs.sales
      .update(t)
      .set({ dueAt: new Date(Date.now() - 60_000) })
      .where(pending)
      .returning({ id: t.id });
    expect(armed.length).toBe(leadIds.length);
    // Both replicas' sweepers poll on their own; concurrent sweeps through two more pools race them harder.
    const now = new Date();
    const sweeps = await Promise.all(
      [stack.databases.sales, probe, stack.databases.sales, probe].map((d) => runSlaSweep(d.db, { now })),
    );
    await eventually(async () => {
      const [left] = await stack.dbs.sales
        .select({ n: sql<number>`count(*)`.mapWith(Number) })
        .from(t)
        .where(pending);
      expect(left!.n).toBe(0);
    }, 20_000);
    const escalations = await stack.dbs.sales
      .select({ leadId: salesSchema.leadEvents.leadId, n: sql<number>`count(*)`.mapWith(Number) })
      .from(salesSchema.leadEvents)
      .where(
        and(inArray(salesSchema.leadEvents.leadId, leadIds), eq(salesSchema.leadEvents.kind, 'ESCALATED')),
      )
      .groupBy(salesSchema.leadEvents.leadId);
    expect(escalations.map((e) => e.n)).toEqual(leadIds.map(() => 1));
    expect(new Set(escalations.map((e) => e.leadId))).toEqual(new Set(leadIds));
    const fired = await stack.dbs.sales
      .select({ state: t.state })
      .from(t)
      .where(
        inArray(
          t.id,
          armed.map((a) => a.id),
        ),
      );
    expect(fired.map((f) => f.state)).toEqual(armed.map(() => 'FIRED'));
    // The concurrent sweeps never fired one timer twice between them.
    const byLead = sweeps
      .flatMap((r) => r.escalated.map((e) => e.leadId))
      .filter((id) => leadIds.includes(id));
    expect(new Set(byLead).size).toBe(byLead.length);
  });

  /** A (customer, model) pair nobody has a lead for yet. */
  async function freshLeadInput(): Promise<LeadInput> {
    const existing = await stack.dbs.sales
      .select({ customerId: salesSchema.leads.customerId, modelCode: salesSchema.leads.modelCode })
      .from(salesSchema.leads);
    const taken = new Set(existing.map((l) => `${l.customerId}/${l.modelCode}`));
    const inputs = await leadInputs(stack.dbs);
    const input = inputs.reverse().find((i) => !taken.has(`${i.customerId}/${i.modelCode}`));
    if (!input) throw new Error('every (customer, model) pair has a lead');
    return input;
  }
});

/** Every message the stream holds, in stream order. */
async function readStream(bus: NatsBus, stream: string): Promise<DomainEvent[]> {
  const { state } = await bus.manager.streams.info(stream);
  const events: DomainEvent[] = [];
  for (let seq = state.first_seq; state.messages > 0 && seq <= state.last_seq; seq += 1) {
    const message = await bus.manager.streams.getMessage(stream, { seq });
    events.push(message.json<DomainEvent>());
  }
  return events;
}
