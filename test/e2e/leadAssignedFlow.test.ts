import { readFileSync } from 'node:fs';
import type { Duplex } from 'node:stream';
import { planStream } from '@cx/gateway/leadStream/operation';
import type { ExecuteEventQuery } from '@cx/gateway/leadStream/results';
import { anonymousScope } from '@cx/gateway/leadStream/scope';
import { LeadStream } from '@cx/gateway/leadStream/stream';
import { readSupergraph } from '@cx/gateway/leadStream/supergraph';
import { connectCursorSource } from '@cx/gateway/leadStream/upstream';
import { createLogger, INTERNAL_AUTH_HEADER, signInternalAuth } from '@cx/platform';
import { type ExecutionResult, parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { supergraphPath } from '../../scripts/lib/composition.ts';
import { contractOperation } from '../helpers/contract.ts';
import { eventually } from '../helpers/eventually.ts';
import {
  createUntilDelivered,
  type LeadAssignedEvent,
  LeadFactory,
  postGraphql,
  subscribe,
  wsUrlOf,
} from '../helpers/leadStream.ts';
import { startTestStack, type TestStack } from '../helpers/testStack.ts';
import { authHeader, testInternalAuthSecret } from '../helpers/tokens.ts';

const salesAuth = () => ({
  [INTERNAL_AUTH_HEADER]: signInternalAuth(
    { sub: 'test', role: 'hq_analyst', scopes: [] },
    testInternalAuthSecret,
  ),
});

const leadAssigned = contractOperation('leadAssigned.graphql');
type Payload = { leadAssigned: LeadAssignedEvent };

let stack: TestStack;
let leads: LeadFactory;
/** Server ends of WebSocket connections to the sales subgraph (the gateway's upstream among them). */
const salesSockets: Duplex[] = [];

beforeAll(async () => {
  stack = await startTestStack('lead_flow', { customers: 40 });
  leads = new LeadFactory(stack);
  stack.subgraphs.sales.server.on('upgrade', (_req: unknown, socket: Duplex) => salesSockets.push(socket));
});

afterAll(async () => {
  await stack?.stop();
});

function leadIdOf(result: ExecutionResult): string {
  expect(result.errors).toBeUndefined();
  return (result.data as Payload).leadAssigned.lead.id;
}

async function pull(iterator: AsyncIterator<ExecutionResult>, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i += 1) {
    const next = await iterator.next();
    if (next.done) throw new Error(`stream ended after ${i} events`);
    ids.push(leadIdOf(next.value));
  }
  return ids;
}

describe('flow control of the gateway lead stream', () => {
  it('lets a subscriber that stops pulling fall behind the shared feed and catch up on its own', async () => {
    const source = connectCursorSource({
      url: wsUrlOf(stack.subgraphs.sales.url),
      logger: createLogger('lead-stream', 'silent'),
      // The sales stream, like every subgraph call, needs the gateway's signed header.
      connectionParams: salesAuth,
    });
    // The gateway's executor, reached over HTTP: the stream itself only needs "run this query".
    const execute: ExecuteEventQuery = async ({ query, variables }) => {
      const { data, errors } = await postGraphql<Record<string, unknown>>(
        stack.gateway.url,
        query,
        variables,
      );
      return { data, errors };
    };
    // A feed that remembers 3 positions and catch-ups that buffer 2: 8 events overflow both.
    const stream = new LeadStream(source, execute, { feedCapacity: 3, catchUpBuffer: 2 });
    const { apiSchema } = readSupergraph(readFileSync(supergraphPath, 'utf8'));
    const plan = planStream(apiSchema, parse(leadAssigned), undefined, {});
    if ('errors' in plan) throw new Error(String(plan.errors));
    const slow = stream.subscribe(plan, anonymousScope);
    const fast = stream.subscribe(plan, anonymousScope);
    // Both are live-only: warm up until the shared feed streams. Both stand before its first event.
    const firstOfFast = fast.next();
    let arrived = false;
    void firstOfFast.then(() => {
      arrived = true;
    });
    const warm = (await createUntilDelivered(leads, () => arrived)).map((l) => l.id);
    const first = await firstOfFast;
    if (first.done) throw new Error('the stream ended');
    const seen = warm.slice(warm.indexOf(leadIdOf(first.value)));

    const fastIds = pull(fast, seen.length - 1 + 8);
    const created = (await leads.create(8)).map((l) => l.id);
    // The fast subscriber is not held back by one that has not pulled anything.
    expect(await fastIds).toEqual([...seen.slice(1), ...created]);
    const catchUps = stream.stats.catchUps;
    expect(await pull(slow, seen.length + 8)).toEqual([...seen, ...created]);
    expect(stream.stats.catchUps).toBeGreaterThan(catchUps);
    // Pausing and reopening the bounded catch-up took several upstream subscriptions...
    expect(source.counters.opened).toBeGreaterThan(3);
    // ...and once the feed covered it again, only the feed's own is left.
    expect(stream.stats.upstreamSubscriptions).toBe(1);
    expect(stream.stats.eventQueries).toBe(seen.length + 8);

    await fast.return?.();
    await slow.return?.();
    expect(stream.stats).toMatchObject({ subscribers: 0, feeds: 0, upstreamSubscriptions: 0 });
    await stream.close();
  });

  it('keeps serving other clients while one client does not read its socket', async () => {
    const url = wsUrlOf(stack.gateway.url);
    const fast = subscribe<Payload>(url, leadAssigned);
    // A bare graphql-transport-ws client that subscribes and then stops reading.
    const raw = new WebSocket(url, 'graphql-transport-ws');
    const rawMessages: { type: string; payload?: { data?: Payload } }[] = [];
    raw.on('message', (data) => rawMessages.push(JSON.parse(String(data))));
    await new Promise((r) => raw.once('open', r));
    raw.send(JSON.stringify({ type: 'connection_init', payload: await authHeader({ role: 'hq_admin' }) }));
    await eventually(() => expect(rawMessages[0]?.type).toBe('connection_ack'));
    raw.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: leadAssigned } }));
    await eventually(() => expect(stack.gateway.leadStream?.subscribers).toBe(2));
    await createUntilDelivered(leads, () => fast.results.length > 0);
    const rawIds = () => rawMessages.flatMap((m) => m.payload?.data?.leadAssigned.lead.id ?? []);
    // Both joined the shared feed before its first event, so they stream the same events.
    await eventually(() => expect(rawIds()).toHaveLength(fast.results.length));
    const [rawBefore, fastBefore] = [rawIds().length, fast.results.length];
    raw.pause();

    const created = (await leads.create(3)).map((l) => l.id);
    const events = await fast.received(fastBefore + 3);
    expect(events.slice(fastBefore).map((e) => e.leadAssigned.lead.id)).toEqual(created);
    expect(rawIds()).toHaveLength(rawBefore);

    raw.resume();
    await eventually(() => expect(rawIds()).toHaveLength(rawBefore + 3));
    expect(rawIds().slice(rawBefore)).toEqual(created);
    raw.close();
    await fast.close();
    await eventually(() => expect(stack.gateway.leadStream?.subscribers).toBe(0));
  });

  it('resubscribes upstream from the last position after losing the sales connection', async () => {
    const sub = subscribe<Payload>(wsUrlOf(stack.gateway.url), leadAssigned);
    await createUntilDelivered(leads, () => sub.results.length > 0);
    const base = sub.results.length;
    const before = (await leads.create(2)).map((l) => l.id);
    await sub.received(base + 2);

    // A network failure between gateway and sales, then leads created while it lasts.
    const opened = stack.gateway.leadStream!.upstreamOpened;
    for (const socket of salesSockets) socket.destroy();
    const during = (await leads.create(2)).map((l) => l.id);
    const after = (await leads.create(1)).map((l) => l.id);
    const events = await sub.received(base + 5);
    // Time for a duplicate (a resubscription from the wrong position) to show up, if there were one.
    await new Promise((r) => setTimeout(r, 300));
    expect(sub.results).toHaveLength(base + 5);
    expect(events.slice(base).map((e) => e.leadAssigned.lead.id)).toEqual([...before, ...during, ...after]);
    // The same client subscription, served by a new upstream subscription.
    expect(stack.gateway.leadStream!.upstreamOpened).toBeGreaterThan(opened);
    expect(stack.gateway.leadStream!.subscribers).toBe(1);
    await sub.close();
  });
});
