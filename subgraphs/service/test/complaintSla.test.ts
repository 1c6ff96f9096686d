import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { complaints } from '../src/db/schema.ts';
import {
  advance,
  gql,
  hours,
  minutes,
  type ServiceStack,
  startServiceStack,
  type UserErrorShape,
} from './support.ts';

interface ComplaintView {
  id: string;
  status: string;
  severity: string;
  openedAt: string;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  resolvedAt: string | null;
  resolvedBy: string | null;
  openedBy: string | null;
  resolution: string | null;
  sla: {
    acknowledgeDueAt: string;
    resolveDueAt: string;
    acknowledgeBreached: boolean;
    resolveBreached: boolean;
  };
}
type Payload = { complaint: ComplaintView | null; userErrors: UserErrorShape[] };

const fields = `id status severity openedAt acknowledgedAt acknowledgedBy resolvedAt resolvedBy openedBy resolution
  sla { acknowledgeDueAt resolveDueAt acknowledgeBreached resolveBreached }`;

let stack: ServiceStack;
const customerId = randomUUID();

beforeAll(async () => {
  stack = await startServiceStack('sla');
});

afterAll(async () => {
  await stack?.close();
});

async function open(severity: string, dealerCode = 'SH01'): Promise<ComplaintView> {
  const data = await gql<{ complaintOpen: Payload }>(
    stack,
    `mutation ($input: ComplaintOpenInput!) { complaintOpen(input: $input) { complaint { ${fields} } userErrors { field code message } } }`,
    { input: { customerId, severity, dealerCode, description: `${severity} complaint`, channel: 'APP' } },
  );
  expect(data.complaintOpen.userErrors).toEqual([]);
  return data.complaintOpen.complaint!;
}

async function step(mutation: 'complaintAcknowledge' | 'complaintResolve', input: Record<string, unknown>) {
  const type = mutation === 'complaintAcknowledge' ? 'ComplaintAcknowledgeInput' : 'ComplaintResolveInput';
  const data = await gql<Record<string, Payload>>(
    stack,
    `mutation ($input: ${type}!) { ${mutation}(input: $input) { complaint { ${fields} } userErrors { field code message } } }`,
    { input },
  );
  return data[mutation]!;
}

async function breaching(dealerCode = 'SH01', first = 20, after?: string) {
  const data = await gql<{
    complaintsBreachingSla: {
      totalCount: number;
      nodes: ComplaintView[];
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
    };
  }>(
    stack,
    `query ($dealerCode: String!, $first: Int, $after: String) {
      complaintsBreachingSla(dealerCode: $dealerCode, first: $first, after: $after) {
        totalCount nodes { ${fields} } pageInfo { hasNextPage endCursor }
      }
    }`,
    { dealerCode, first, after },
  );
  return data.complaintsBreachingSla;
}

const ids = (nodes: { id: string }[]) => nodes.map((n) => n.id);

describe('complaint SLA', () => {
  it('seeds 2 hours to acknowledge and 72 to resolve for every severity', async () => {
    const data = await gql<{ complaintSlaPolicies: unknown[] }>(
      stack,
      '{ complaintSlaPolicies { severity acknowledgeWithinMinutes resolveWithinMinutes } }',
    );
    expect(data.complaintSlaPolicies).toEqual(
      ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'].map((severity) => ({
        severity,
        acknowledgeWithinMinutes: 120,
        resolveWithinMinutes: 4320,
      })),
    );
  });

  it('detects breaches against the controllable clock, per severity policy, dealer by dealer', async () => {
    const setPolicy = await gql<{ complaintSlaPolicySet: { policy: unknown; userErrors: UserErrorShape[] } }>(
      stack,
      `mutation { complaintSlaPolicySet(input: { severity: HIGH, acknowledgeWithinMinutes: 30, resolveWithinMinutes: 1440 }) {
        policy { severity acknowledgeWithinMinutes resolveWithinMinutes } userErrors { field code message } } }`,
    );
    expect(setPolicy.complaintSlaPolicySet).toEqual({
      policy: { severity: 'HIGH', acknowledgeWithinMinutes: 30, resolveWithinMinutes: 1440 },
      userErrors: [],
    });
    const t0 = stack.clock.now.getTime();
    const low = await open('LOW');
    expect(low.openedBy).toBe(stack.clock.actor);
    expect(low.sla).toEqual({
      acknowledgeDueAt: new Date(t0 + hours(2)).toISOString(),
      resolveDueAt: new Date(t0 + hours(72)).toISOString(),
      acknowledgeBreached: false,
      resolveBreached: false,
    });
    advance(stack, minutes(1));
    const high = await open('HIGH');
    expect(high.sla.acknowledgeDueAt).toBe(new Date(t0 + minutes(31)).toISOString());
    advance(stack, minutes(1));
    const onTime = await open('LOW');
    const otherDealer = await open('LOW', 'BJ01');

    stack.clock.now = new Date(t0 + minutes(30));
    expect((await breaching()).totalCount).toBe(0);
    stack.clock.now = new Date(t0 + minutes(32));
    expect(ids((await breaching()).nodes)).toEqual([high.id]);

    stack.clock.now = new Date(t0 + hours(1));
    const acked = await step('complaintAcknowledge', { complaintId: onTime.id });
    expect(acked.complaint).toMatchObject({
      status: 'ACKNOWLEDGED',
      acknowledgedAt: stack.clock.now.toISOString(),
      acknowledgedBy: stack.clock.actor,
      sla: { acknowledgeBreached: false },
    });

    stack.clock.now = new Date(t0 + hours(2) + minutes(1));
    const twoHours = await breaching();
    expect(ids(twoHours.nodes)).toEqual([high.id, low.id]);
    expect(twoHours.nodes[1]!.sla.acknowledgeBreached).toBe(true);
    expect((await breaching('BJ01')).totalCount).toBe(0);

    // Acknowledged late: the breach stays on the record, but there is nothing left to chase until resolution is due.
    stack.clock.now = new Date(t0 + hours(3));
    stack.clock.actor = 'dealer_manager:manager-1';
    const late = await step('complaintAcknowledge', { complaintId: low.id });
    expect(late.complaint!.sla).toMatchObject({ acknowledgeBreached: true, resolveBreached: false });
    expect(late.complaint!.acknowledgedBy).toBe('dealer_manager:manager-1');
    expect(ids((await breaching()).nodes)).toEqual([high.id]);
    expect(ids((await breaching('BJ01')).nodes)).toEqual([otherDealer.id]);

    stack.clock.now = new Date(t0 + hours(25));
    const resolved = await step('complaintResolve', {
      complaintId: high.id,
      resolution: 'Refunded the diagnosis fee',
    });
    expect(resolved.complaint).toMatchObject({
      status: 'RESOLVED',
      resolution: 'Refunded the diagnosis fee',
      resolvedBy: 'dealer_manager:manager-1',
      resolvedAt: stack.clock.now.toISOString(),
      // Resolving an unacknowledged complaint acknowledges it at the same moment.
      acknowledgedAt: stack.clock.now.toISOString(),
      sla: { acknowledgeBreached: true, resolveBreached: true },
    });
    expect((await breaching()).totalCount).toBe(0);

    stack.clock.now = new Date(t0 + hours(72) + minutes(3));
    const resolveBreaches = await breaching();
    expect(ids(resolveBreaches.nodes)).toEqual([onTime.id, low.id]);
    expect(resolveBreaches.nodes.every((n) => n.sla.resolveBreached)).toBe(true);

    const page1 = await breaching('SH01', 1);
    expect(page1).toMatchObject({ totalCount: 2, pageInfo: { hasNextPage: true } });
    const page2 = await breaching('SH01', 1, page1.pageInfo.endCursor!);
    expect(ids([...page1.nodes, ...page2.nodes])).toEqual([onTime.id, low.id]);
    expect(page2.pageInfo.hasNextPage).toBe(false);
  });

  it('fixes deadlines when a complaint is opened, whatever path inserts it', async () => {
    await gql(
      stack,
      'mutation { complaintSlaPolicySet(input: { severity: MEDIUM, acknowledgeWithinMinutes: 60, resolveWithinMinutes: 600 }) { userErrors { code } } }',
    );
    const openedAt = new Date('2026-03-10T00:00:00.000Z');
    // The demo seeder and DMS loads insert rows directly: the trigger still applies the policy.
    const [row] = await stack.database.db
      .insert(complaints)
      .values({ customerId, severity: 'MEDIUM', description: 'seeded', openedAt })
      .returning();
    expect(row!.acknowledgeDueAt).toEqual(new Date(openedAt.getTime() + hours(1)));
    expect(row!.resolveDueAt).toEqual(new Date(openedAt.getTime() + hours(10)));
    await gql(
      stack,
      'mutation { complaintSlaPolicySet(input: { severity: MEDIUM, acknowledgeWithinMinutes: 5, resolveWithinMinutes: 10 }) { userErrors { code } } }',
    );
    const [unchanged] = await stack.database.db.select().from(complaints).where(eq(complaints.id, row!.id));
    expect(unchanged!.acknowledgeDueAt).toEqual(row!.acknowledgeDueAt);
  });

  it('refuses steps out of order and bad input, naming the field', async () => {
    const complaint = await open('CRITICAL');
    await step('complaintResolve', { complaintId: complaint.id, resolution: 'Replaced the part' });
    const again = await step('complaintAcknowledge', { complaintId: complaint.id });
    expect(again).toEqual({
      complaint: null,
      userErrors: [
        {
          field: 'complaintId',
          code: 'ILLEGAL_TRANSITION',
          message: 'complaintId: a complaint cannot move from RESOLVED to ACKNOWLEDGED',
        },
      ],
    });
    const empty = await step('complaintResolve', { complaintId: 'nope', resolution: ' ' });
    expect(empty.userErrors.map((e) => [e.field, e.code])).toEqual([
      ['complaintId', 'INVALID_ID'],
      ['resolution', 'REQUIRED'],
    ]);
    const policy = await gql<{ complaintSlaPolicySet: { userErrors: UserErrorShape[] } }>(
      stack,
      'mutation { complaintSlaPolicySet(input: { severity: LOW, acknowledgeWithinMinutes: 600, resolveWithinMinutes: 60 }) { userErrors { field code message } } }',
    );
    expect(policy.complaintSlaPolicySet.userErrors).toEqual([
      {
        field: 'resolveWithinMinutes',
        code: 'OUT_OF_RANGE',
        message: 'resolveWithinMinutes: must not be shorter than acknowledgeWithinMinutes',
      },
    ]);
  });
});
