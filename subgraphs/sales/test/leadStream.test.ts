import { randomUUID } from 'node:crypto';
import { asc, sql } from 'drizzle-orm';
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outbox } from '../src/db/schema.ts';
import { outboxHubFor } from '../src/outbox/hub.ts';
import { abortable, leadAssignmentStream } from '../src/outbox/stream.ts';
import {
  createLead,
  eventually,
  gql,
  ids,
  seedNetwork,
  startTestStack,
  type TestStack,
  wsClient,
} from './support.ts';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
  await seedNetwork(stack.database);
}, 60_000);

afterAll(async () => {
  await stack?.close();
});

// The contract's selection (minus fields other subgraphs own, which the gateway adds).
const subscription = `
  subscription ($dealerCode: String, $after: String) {
    leadAssigned(dealerCode: $dealerCode, after: $after) {
      cursor
      assignedAt
      reason
      lead { id status source interestedModel { code } customer { id } }
      consultant { id name dealer { code name } }
    }
  }`;

interface StreamEvent {
  cursor: string;
  assignedAt: string;
  reason: string;
  lead: {
    id: string;
    status: string;
    source: string;
    interestedModel: { code: string } | null;
    customer: { id: string };
  };
  consultant: { id: string; name: string; dealer: { code: string; name: string } };
}

interface Subscriber {
  events: StreamEvent[];
  errors: unknown[];
  /** Resolves when `n` events have arrived in total. */
  received(n: number, timeoutMs?: number): Promise<StreamEvent[]>;
  close(): Promise<void>;
}

function subscribe(variables: { after?: string; dealerCode?: string }): Subscriber {
  const client: Client = wsClient(stack);
  const events: StreamEvent[] = [];
  const errors: unknown[] = [];
  const dispose = client.subscribe<{ leadAssigned: StreamEvent }>(
    { query: subscription, variables },
    {
      next: (result) => {
        if (result.errors) errors.push(...result.errors);
        if (result.data) events.push(result.data.leadAssigned);
      },
      error: (error) => errors.push(error),
      complete: () => {},
    },
  );
  return {
    events,
    errors,
    received: (n, timeoutMs = 5000) =>
      eventually(async () => {
        if (errors.length > 0) throw new Error(`subscription failed: ${JSON.stringify(errors)}`);
        if (events.length < n) throw new Error(`${events.length} of ${n} events`);
        return events;
      }, timeoutMs),
    close: async () => {
      dispose();
      await client.dispose();
    },
  };
}

async function assignLeads(n: number, input: Record<string, unknown> = {}): Promise<string[]> {
  const leadIds: string[] = [];
  for (let i = 0; i < n; i++) {
    stack.clock.now = new Date(stack.clock.now.getTime() + 60_000);
    const { lead } = await createLead(stack, { modelCode: 'HAVAL-H6-2024', city: 'Shanghai', ...input });
    expect(lead?.status).toBe('ASSIGNED');
    leadIds.push(lead!.id);
  }
  return leadIds;
}

describe('leadAssigned over graphql-ws', () => {
  let firstCursor = '';
  let lastCursor = '';
  const delivered: string[] = [];

  it('catches up from `after`, then streams live events in order', async () => {
    const early = await assignLeads(2);
    const sub = subscribe({ after: '0' });
    await sub.received(2);
    const live = await assignLeads(3);
    const events = await sub.received(5);
    expect(events.map((e) => e.lead.id)).toEqual([...early, ...live]);
    expect(events.map((e) => e.cursor)).toEqual(['1', '2', '3', '4', '5']);
    expect(events[0]).toMatchObject({
      reason: 'CITY_DEALER/ROUND_ROBIN',
      lead: { status: 'ASSIGNED', source: 'APP', interestedModel: { code: 'HAVAL-H6-2024' } },
      consultant: { id: ids.sh1a, name: 'Li Na', dealer: { code: 'SH01', name: 'Shanghai Pudong 4S' } },
    });
    expect(new Date(events[0]!.assignedAt).getTime()).toBeGreaterThan(0);
    firstCursor = events[0]!.cursor;
    lastCursor = events.at(-1)!.cursor;
    delivered.push(...events.map((e) => e.cursor));
    await sub.close();
  });

  it('after a disconnect, resumes with exactly the missed events, in order, none twice', async () => {
    const missed = await assignLeads(4);
    const sub = subscribe({ after: lastCursor });
    await sub.received(4);
    const live = await assignLeads(1);
    const events = await sub.received(5);
    // Give a duplicate (e.g. from a NOTIFY racing the in-process kick) time to show up.
    await new Promise((r) => setTimeout(r, 300));
    expect(sub.events.map((e) => e.lead.id)).toEqual([...missed, ...live]);
    delivered.push(...events.map((e) => e.cursor));
    expect(delivered).toEqual(delivered.map((_, i) => String(i + 1)));
    await sub.close();
  });

  it('filters by dealer', async () => {
    const sub = subscribe({ after: firstCursor, dealerCode: 'bj01' });
    const [bj] = await assignLeads(1, { preferredDealerCode: 'BJ01' });
    await assignLeads(1);
    const events = await sub.received(1);
    await new Promise((r) => setTimeout(r, 300));
    expect(sub.events).toHaveLength(1);
    expect(events[0]).toMatchObject({ lead: { id: bj }, consultant: { dealer: { code: 'BJ01' } } });
    await sub.close();
  });

  it('without `after` streams only what happens from now on', async () => {
    const sub = subscribe({});
    // The stream reads its starting point when the subscription starts; let that happen first.
    await new Promise((r) => setTimeout(r, 300));
    const [next] = await assignLeads(1);
    const events = await sub.received(1);
    expect(events.map((e) => e.lead.id)).toEqual([next]);
    await sub.close();
  });

  it('rejects a malformed cursor with BAD_USER_INPUT naming `after`', async () => {
    for (const after of ['abc', '-1', '01', '1.5', '99999999999999999999']) {
      const sub = subscribe({ after });
      await eventually(async () => {
        if (sub.errors.length === 0) throw new Error('no error yet');
      });
      expect(sub.errors[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'after' } });
      await sub.close();
    }
  });
});

describe('queries for the gateway', () => {
  it('resolves one event by its cursor, as the gateway does per streamed event', async () => {
    const res = await gql<{ leadAssignment: StreamEvent | null; missing: StreamEvent | null }>(
      stack,
      `{ leadAssignment(id: "3") { cursor reason lead { id } consultant { id dealer { code } } }
         missing: leadAssignment(id: "100000") { cursor } }`,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data?.leadAssignment).toMatchObject({ cursor: '3', consultant: { dealer: { code: 'SH01' } } });
    expect(res.data?.missing).toBeNull();
    const bad = await gql(stack, '{ leadAssignment(id: "x") { cursor } }');
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
  });

  it('preloads a page of leads and consultants only for selections that use them', async () => {
    // Statements naming the tables the page preload reads, issued while `query` catches up 5 events.
    const preloadStatements = async (query: string) => {
      const client = wsClient(stack);
      const cursors: string[] = [];
      const from = stack.database.counter.count;
      const dispose = client.subscribe<{ leadAssigned: { cursor: string } }>(
        { query, variables: { after: '0' } },
        {
          next: (r) => r.data && cursors.push(r.data.leadAssigned.cursor),
          error: () => {},
          complete: () => {},
        },
      );
      await eventually(async () => expect(cursors.length).toBeGreaterThanOrEqual(5));
      const issued = stack.database.counter.count - from;
      const recent = stack.database.counter.recent.slice(-Math.min(issued, 50));
      dispose();
      await client.dispose();
      expect(cursors.slice(0, 5)).toEqual(['1', '2', '3', '4', '5']);
      return recent.filter((s) => /"(leads|consultants|dealers)"/.test(s) && !/"outbox"/.test(s)).length;
    };
    // The gateway's own subscription: cursors only, each event's fields come later by query.
    const gatewayKind = await preloadStatements(
      'subscription ($after: String) { leadAssigned(after: $after) { cursor } }',
    );
    const full = await preloadStatements(subscription);
    expect(gatewayKind).toBe(0);
    expect(full).toBeGreaterThan(0);
  });

  it('pages through events after a cursor', async () => {
    const res = await gql<{ leadAssignmentEvents: { cursor: string }[] }>(
      stack,
      '{ leadAssignmentEvents(after: "2", first: 3) { cursor } }',
    );
    expect(res.data?.leadAssignmentEvents.map((e) => e.cursor)).toEqual(['3', '4', '5']);
    const bad = await gql(stack, '{ leadAssignmentEvents(after: "zz") { cursor } }');
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });
});

describe('the stream reader', () => {
  it('reads in bounded pages and delivers every positioned event once, in order', async () => {
    await eventually(async () => {
      const [row] = await stack.database.db
        .select({ n: sql<number>`count(*)`.mapWith(Number) })
        .from(outbox)
        .where(sql`position is null`);
      if (row!.n > 0) throw new Error('relay pending');
    });
    const all = await stack.database.db
      .select({ position: outbox.position })
      .from(outbox)
      .orderBy(asc(outbox.position));
    const pages: number[] = [];
    const stream = abortable((signal) =>
      leadAssignmentStream(stack.database.db, outboxHubFor(stack.database.db), {
        after: 0,
        dealerCode: null,
        signal,
        pageSize: 4,
        onPage: async (events) => {
          pages.push(events.length);
        },
      }),
    );
    const seen: number[] = [];
    for await (const event of stream) {
      seen.push(event.position);
      if (seen.length === all.length) break;
    }
    expect(seen).toEqual(all.map((r) => r.position));
    expect(Math.max(...pages)).toBeLessThanOrEqual(4);
  });

  it('ends promptly when the subscriber goes away while the stream is idle', async () => {
    const stream = abortable((signal) =>
      leadAssignmentStream(stack.database.db, outboxHubFor(stack.database.db), {
        after: null,
        dealerCode: null,
        signal,
      }),
    );
    const pending = stream.next();
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    await stream.return(undefined);
    expect(await pending).toMatchObject({ done: true });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('keeps positions gap-free across many concurrent writers', async () => {
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        createLead(stack, {
          customerId: randomUUID(),
          modelCode: 'HAVAL-H6-2024',
          city: i % 2 ? 'Hangzhou' : 'Beijing',
        }),
      ),
    );
    const positions = await eventually(async () => {
      const rows = await stack.database.db
        .select({ position: outbox.position })
        .from(outbox)
        .orderBy(asc(outbox.position));
      if (rows.some((r) => r.position === null)) throw new Error('relay pending');
      return rows.map((r) => r.position);
    });
    expect(positions).toEqual(positions.map((_, i) => i + 1));
  });
});
