import { readFileSync } from 'node:fs';
import { createGatewaySecurity, type RunningGateway, startGateway } from '@cx/gateway';
import { createLogger, type SubgraphName, subgraphNames } from '@cx/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AssignedLead } from '../../bench/src/leadInputs.ts';
import { supergraphPath } from '../../scripts/lib/composition.ts';
import { contractOperation } from '../helpers/contract.ts';
import { eventually } from '../helpers/eventually.ts';
import {
  createUntilDelivered,
  expectedEventFacts,
  type LeadAssignedEvent,
  LeadFactory,
  modelNames,
  type StreamSubscriber,
  subscribe,
  wsUrlOf,
} from '../helpers/leadStream.ts';
import { startTestStack, type TestStack, testSecurity } from '../helpers/testStack.ts';

const leadAssigned = contractOperation('leadAssigned.graphql');
type Payload = { leadAssigned: LeadAssignedEvent };

let stack: TestStack;
let leads: LeadFactory;
/** The gateway under test: the stack's own, until the restart test replaces it. */
let gateway: RunningGateway;
const extraGateways: RunningGateway[] = [];
const open: StreamSubscriber<unknown>[] = [];
/** Every event delivered by the contract subscriptions so far, in order. */
const delivered: LeadAssignedEvent[] = [];

function contractSubscriber(variables: { after?: string; dealerCode?: string }): StreamSubscriber<Payload> {
  const sub = subscribe<Payload>(wsUrlOf(gateway.url), leadAssigned, variables);
  open.push(sub);
  return sub;
}

async function createLeads(n: number): Promise<AssignedLead[]> {
  return leads.create(n, gateway.url);
}

/** Waits until the gateway holds `n` client subscriptions, so that live-only ones have started. */
async function subscribed(n: number): Promise<void> {
  await eventually(() => expect(gateway.leadStream?.subscribers).toBe(n));
}

async function closeAll(): Promise<void> {
  await Promise.all(open.splice(0).map((s) => s.close()));
  await subscribed(0);
}

beforeAll(async () => {
  stack = await startTestStack('lead_assigned', { customers: 60 });
  gateway = stack.gateway;
  leads = new LeadFactory(stack);
});

afterAll(async () => {
  await closeAll().catch(() => {});
  for (const g of extraGateways) await g.close();
  await stack?.stop();
});

describe('leadAssigned through the gateway', () => {
  it('streams the contract selection in order, with fields from every subgraph', async () => {
    const early = await createLeads(2);
    const sub = contractSubscriber({ after: '0' });
    await sub.received(2);
    const live = await createLeads(3);
    const events = (await sub.received(5)).map((p) => p.leadAssigned);

    expect(events.map((e) => e.lead.id)).toEqual([...early, ...live].map((l) => l.id));
    expect(events.map((e) => e.cursor)).toEqual(['1', '2', '3', '4', '5']);
    const facts = await expectedEventFacts(stack, events);
    const names = await modelNames(stack);
    for (const [i, event] of events.entries()) {
      const created = [...early, ...live][i]!;
      expect(event.lead.customer.id).toBe(created.customerId);
      expect(event.lead.customer.displayName).toBe(facts.displayName.get(created.customerId));
      expect(event.lead.customer.vehicles.map((v) => v.vin).sort()).toEqual(facts.vins(created.customerId));
      expect(event.lead.interestedModel?.name).toBe(names.get(created.modelCode));
      expect(event.consultant.dealer).toEqual(facts.dealer.get(event.consultant.id));
      expect(event.lead).toMatchObject({ status: 'ASSIGNED', source: 'APP' });
      expect(event.reason).toMatch(/^[A-Z_]+\/[A-Z_]+$/);
      expect(Number.isNaN(Date.parse(event.assignedAt))).toBe(false);
    }
    // Some seeded customer owns vehicles, so the vehicle subgraph really took part.
    expect(events.some((e) => e.lead.customer.vehicles.length > 0)).toBe(true);
    delivered.push(...events);
    await closeAll();
  });

  it('resumes after a disconnect with exactly the missed events, in order, none twice', async () => {
    const missed = await createLeads(3);
    const sub = contractSubscriber({ after: delivered.at(-1)!.cursor });
    await sub.received(3);
    const live = await createLeads(2);
    await sub.received(5);
    // Time for a duplicate (catch-up and shared feed overlapping) to show up, if there were one.
    await new Promise((r) => setTimeout(r, 300));
    const events = sub.results.map((r) => r.data!.leadAssigned);
    expect(events.map((e) => e.lead.id)).toEqual([...missed, ...live].map((l) => l.id));
    delivered.push(...events);
    expect(delivered.map((e) => e.cursor)).toEqual(delivered.map((_, i) => String(i + 1)));
    await closeAll();
  });

  it('without `after` delivers only what happens from now on', async () => {
    const sub = contractSubscriber({});
    await subscribed(1);
    const created = await createUntilDelivered(leads, () => sub.results.length > 0, gateway.url);
    const [first] = await sub.received(1);
    // Nothing from before the subscription: its first event is a lead created since.
    expect(created.map((l) => l.id)).toContain(first!.leadAssigned.lead.id);
    const [next] = await createLeads(1);
    const events = (await sub.received(2)).map((p) => p.leadAssigned);
    expect(events[1]!.lead.id).toBe(next!.id);
    expect(Number(events[1]!.cursor)).toBeGreaterThan(Number(events[0]!.cursor));
    delivered.push(...events);
    await closeAll();
  });

  it('serves aliases, fragments and inline fragments, keeping the variables the selection uses', async () => {
    const query = `
      subscription Aliased($after: String, $leadAssignmentId: String, $withVehicles: Boolean!) {
        ... on Subscription {
          feed: leadAssigned(after: $after, dealerCode: $leadAssignmentId) { ...EventFields at: assignedAt }
        }
      }
      fragment EventFields on LeadAssignmentEvent {
        cursor
        lead { ... on Lead { id customer { ...Who } } }
      }
      fragment Who on Customer { name: displayName vehicles @include(if: $withVehicles) { vin } }`;
    type Aliased = {
      feed: {
        cursor: string;
        at: string;
        lead: { id: string; customer: { name: string; vehicles?: { vin: string }[] } };
      };
    };
    const first = delivered[0]!;
    const withVehicles = subscribe<Aliased>(wsUrlOf(gateway.url), query, {
      after: '0',
      withVehicles: true,
      // Named like the variable the gateway adds for the event id: it must pick another name.
      leadAssignmentId: null,
    });
    const without = subscribe<Aliased>(wsUrlOf(gateway.url), query, { after: '0', withVehicles: false });
    open.push(withVehicles, without);
    const [a] = await withVehicles.received(1);
    const [b] = await without.received(1);
    expect(a!.feed).toEqual({
      cursor: '1',
      at: first.assignedAt,
      lead: {
        id: first.lead.id,
        customer: { name: first.lead.customer.displayName, vehicles: first.lead.customer.vehicles },
      },
    });
    expect(b!.feed.lead.customer).toEqual({ name: first.lead.customer.displayName });
    await closeAll();
  });

  it('rejects documents it cannot serve with graphql-ws errors', async () => {
    const cases: [string, RegExp][] = [
      ['subscription { leadAssigned { cursor nope } }', /Cannot query field "nope"/],
      ['subscription { leadAssigned { cursor }', /Syntax Error/],
      ['{ dealers { code } }', /Only subscriptions are served over WebSocket/],
      [
        'subscription { leadAssigned { cursor } other: leadAssigned { cursor } }',
        /must select only one top level field/,
      ],
    ];
    for (const [query, message] of cases) {
      const sub = subscribe(wsUrlOf(gateway.url), query);
      open.push(sub);
      const errors = await eventually(() => {
        expect(sub.errors).toHaveLength(1);
        return sub.errors[0] as { message: string }[];
      });
      expect(errors[0]?.message).toMatch(message);
    }
    // A malformed cursor goes to the sales subgraph unchanged, which names the argument.
    const bad = contractSubscriber({ after: 'abc' });
    const result = await eventually(() => {
      expect(bad.results).toHaveLength(1);
      return bad.results[0]!;
    });
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    await eventually(() => expect(bad.completed).toBe(true));
    await closeAll();
  });

  it('shares one query per event among many subscribers, at a cost independent of their number', async () => {
    const statements = () =>
      Object.fromEntries(subgraphNames.map((n) => [n, stack.databases[n].counter.requestCount])) as Record<
        SubgraphName,
        number
      >;
    const cost = async (subscribers: number) => {
      const from = delivered.at(-1)!.cursor;
      // Created before anyone subscribes, so that only delivering it is measured, not leadCreate.
      const [lead] = await createLeads(1);
      const queries = gateway.leadStream!.eventQueries;
      const before = statements();
      const subs = Array.from({ length: subscribers }, () => contractSubscriber({ after: from }));
      const received = await Promise.all(subs.map((s) => s.received(1)));
      const after = statements();
      expect(received.map(([p]) => p!.leadAssigned.lead.id)).toEqual(subs.map(() => lead!.id));
      const perSubgraph = Object.fromEntries(subgraphNames.map((n) => [n, after[n] - before[n]]));
      const result = { queries: gateway.leadStream!.eventQueries - queries, perSubgraph };
      delivered.push(received[0]![0]!.leadAssigned);
      await closeAll();
      return result;
    };
    const one = await cost(1);
    const fifty = await cost(50);
    expect(fifty.queries).toBe(1);
    expect(one.queries).toBe(1);
    expect(fifty.perSubgraph).toEqual(one.perSubgraph);
    // The event query touches customer (name), vehicle (vehicles, model) and sales (the event).
    expect(fifty.perSubgraph.customer).toBeGreaterThan(0);
    expect(fifty.perSubgraph.vehicle).toBeGreaterThan(0);
  });

  it('starts each event query as the event reaches the feed, once per selection, not per subscriber', async () => {
    // A live subscriber first, so that the shared feed is running and covers the others' `after`.
    const primer = contractSubscriber({});
    await subscribed(1);
    const warm = (await createUntilDelivered(leads, () => primer.results.length > 0, gateway.url)).at(-1)!;
    // From the last lead created so far: nothing created before it is still on its way.
    const from = await eventually(() => {
      const event = primer.results.find((r) => r.data?.leadAssigned.lead.id === warm.id);
      if (!event) throw new Error('not yet');
      return event.data!.leadAssigned.cursor;
    });
    const full = Array.from({ length: 20 }, () => contractSubscriber({ after: from }));
    const small = Array.from({ length: 5 }, () =>
      subscribe<{ leadAssigned: { cursor: string; lead: { id: string } } }>(
        wsUrlOf(gateway.url),
        'subscription ($after: String) { leadAssigned(after: $after) { cursor lead { id } } }',
        { after: from },
      ),
    );
    open.push(...small);
    await subscribed(26);
    const stats = gateway.leadStream!;
    const before = {
      queries: stats.eventQueries,
      onArrival: stats.eventResultsStartedOnArrival,
      hits: stats.eventQueryCacheHits,
    };
    const primed = primer.results.length;
    const created = await createLeads(2);
    for (const s of full) {
      const events = (await s.received(2)).map((p) => p.leadAssigned.lead.id);
      expect(events).toEqual(created.map((l) => l.id));
    }
    for (const s of small) {
      const events = (await s.received(2)).map((p) => p.leadAssigned.lead.id);
      expect(events).toEqual(created.map((l) => l.id));
    }
    // Two selections (the contract one, shared by 21 subscribers, and the small one) times two
    // events: four queries, all started by the feed, and every delivery served from them.
    expect(stats.eventQueries - before.queries).toBe(4);
    expect(stats.eventResultsStartedOnArrival - before.onArrival).toBe(4);
    expect(stats.eventQueryCacheHits - before.hits).toBeGreaterThanOrEqual(26 * 2);
    // Everyone resumed on the shared feed: no catch-up subscription of its own.
    expect(stats.upstreamSubscriptions).toBe(1);
    delivered.push(...(await primer.received(primed + 2)).map((p) => p.leadAssigned).slice(-2));
    await closeAll();
  });

  it('moves resumed subscribers onto the shared feed once it covers them', async () => {
    const resumed = Array.from({ length: 5 }, () => contractSubscriber({ after: delivered.at(-1)!.cursor }));
    await subscribed(5);
    const created = await createLeads(2);
    for (const s of resumed) {
      const events = await s.received(2);
      expect(events.map((e) => e.leadAssigned.lead.id)).toEqual(created.map((l) => l.id));
    }
    // Catch-up subscriptions end as soon as the feed covers their subscriber: one upstream is left.
    await eventually(() => expect(gateway.leadStream!.upstreamSubscriptions).toBe(1));
    expect(gateway.leadStream!.feeds).toBe(1);
    delivered.push(...(await resumed[0]!.received(2)).map((p) => p.leadAssigned));
    await closeAll();
    await eventually(() => expect(gateway.leadStream!.upstreamSubscriptions).toBe(0));
  });

  it('resumes across a gateway restart; closing sends 1001 to connected clients', async () => {
    const sub = contractSubscriber({ after: delivered.at(-1)!.cursor });
    await subscribed(1);
    const before = await createLeads(1);
    await sub.received(1);

    await gateway.close();
    await eventually(() => expect(sub.closeCode).toBe(1001));
    const last = sub.results.at(-1)!.data!.leadAssigned.cursor;
    const replacement = await startGateway({
      supergraphSdl: readFileSync(supergraphPath, 'utf8'),
      subgraphUrls: Object.fromEntries(subgraphNames.map((n) => [n, stack.subgraphs[n].url])),
      port: 0,
      logger: createLogger('gateway', 'silent'),
      security: createGatewaySecurity(testSecurity()),
    });
    extraGateways.push(replacement);
    gateway = replacement;

    const missed = await createLeads(2);
    const resumed = contractSubscriber({ after: last });
    const events = (await resumed.received(2)).map((p) => p.leadAssigned);
    expect(events.map((e) => e.lead.id)).toEqual(missed.map((l) => l.id));
    expect(Number(events[0]!.cursor)).toBe(Number(last) + 1);
    expect(before[0]!.id).toBe(sub.results[0]!.data!.leadAssigned.lead.id);
    await closeAll();
  });
});
