import { randomUUID } from 'node:crypto';
import type { DomainEvent } from '@cx/platform';
import { vinCheckDigit } from '@cx/platform/domain/vin';
import { runSlaSweep, schema as salesSchema } from '@cx/sales';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/eventually.ts';
import { startTestStack, type TestStack } from '../helpers/testStack.ts';
import { authHeader } from '../helpers/tokens.ts';

/**
 * The sales lead lifecycle through the real gateway, with real tokens: SLA escalation and
 * reassignment (the sweep driven with a chosen clock), dealer and consultant row scope on the
 * lifecycle mutations, a lead taken to WON with 'sales.order_delivered' on the bus, and analytics
 * scoped to the caller's dealer.
 */
const minute = 60_000;
const ids = {
  a1: randomUUID(),
  a2: randomUUID(),
  managerA: randomUUID(),
  b1: randomUUID(),
};

type Headers = Record<string, string>;
let stack: TestStack;
let admin: Headers;
let managerA: Headers;
let managerB: Headers;
const consultantOf = (id: string, dealer = 'EA01') =>
  authHeader({ role: 'sales_consultant', dealer, consultant: id });

async function call<T>(query: string, variables: Record<string, unknown>, headers: Headers) {
  return stack.graphql<T>(query, variables, headers);
}

const leadCreate = `mutation ($input: LeadCreateInput!) {
  leadCreate(input: $input) { lead { id status dealer { code } assignedConsultant { id } } userErrors { code } } }`;
const followUpRecord = `mutation ($input: FollowUpRecordInput!) {
  followUpRecord(input: $input) { lead { status firstContactAt } userErrors { field code message } } }`;
const leadView = `query ($id: ID!) { lead(id: $id) {
  status assignedConsultant { id name }
  timeline(first: 20) { totalCount nodes { kind at consultant { id name } } } } }`;

interface LeadView {
  lead: {
    status: string;
    assignedConsultant: { id: string; name: string } | null;
    timeline: {
      totalCount: number;
      nodes: { kind: string; at: string; consultant: { id: string; name: string } | null }[];
    };
  };
}

function vin(serial: number): string {
  const draft = `LGWEF4A50R${String(serial).padStart(7, '0')}`;
  return `${draft.slice(0, 8)}${vinCheckDigit(draft)}${draft.slice(9)}`;
}

beforeAll(async () => {
  stack = await startTestStack('sales_lifecycle');
  const db = stack.dbs.sales;
  await db.insert(salesSchema.dealers).values([
    {
      code: 'EA01',
      name: 'Xiamen Siming 4S',
      city: 'Xiamen',
      province: 'Fujian',
      region: 'SOUTHEAST',
      slaMinutes: 5,
      escalationMinutes: 10,
      managerConsultantId: ids.managerA,
    },
    { code: 'EB01', name: 'Fuzhou Gulou 4S', city: 'Fuzhou', province: 'Fujian', region: 'SOUTHEAST' },
  ]);
  await db.insert(salesSchema.consultants).values([
    { id: ids.a1, dealerCode: 'EA01', name: 'Lin Tao', skills: [] },
    { id: ids.a2, dealerCode: 'EA01', name: 'Xu Li', skills: [] },
    // The manager takes no leads of their own (inactive as a consultant); breaches go to them.
    { id: ids.managerA, dealerCode: 'EA01', name: 'Huang Mei', skills: [], active: false },
    { id: ids.b1, dealerCode: 'EB01', name: 'Gao Fei', skills: [] },
  ]);
  admin = await authHeader({ role: 'hq_admin' });
  managerA = await authHeader({ role: 'dealer_manager', dealer: 'EA01' });
  managerB = await authHeader({ role: 'dealer_manager', dealer: 'EB01' });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

describe('sales lead lifecycle through the gateway', () => {
  it('an SLA breach escalates to the manager, then reassigns; the timeline and the stream show both', async () => {
    const created = await call<{
      leadCreate: { lead: { id: string; dealer: { code: string }; assignedConsultant: { id: string } } };
    }>(
      leadCreate,
      {
        input: {
          customerId: randomUUID(),
          source: 'WEBSITE',
          modelCode: 'HAVAL-H6-2024',
          city: 'Xiamen',
          preferredDealerCode: 'EA01',
        },
      },
      admin,
    );
    const lead = created.data!.leadCreate.lead;
    expect(lead.dealer.code).toBe('EA01');
    const first = lead.assignedConsultant.id;
    const [row] = await stack.dbs.sales
      .select()
      .from(salesSchema.leads)
      .where(eq(salesSchema.leads.id, lead.id));
    const assignedAt = row!.assignedAt!.getTime();

    // The sweep with a chosen clock: the replica's own sweeper runs on the wall clock, minutes behind.
    const breach = await runSlaSweep(stack.dbs.sales, { now: new Date(assignedAt + 6 * minute) });
    expect(breach.escalated.map((e) => [e.leadId, e.toConsultantId])).toEqual([[lead.id, ids.managerA]]);
    const reassign = await runSlaSweep(stack.dbs.sales, { now: new Date(assignedAt + 16 * minute) });
    expect(reassign.reassigned.map((e) => e.leadId)).toEqual([lead.id]);
    const second = reassign.reassigned[0]!.toConsultantId!;
    expect([ids.a1, ids.a2]).toContain(second);
    expect(second).not.toBe(first);

    const view = await call<LeadView>(leadView, { id: lead.id }, managerA);
    expect(view.errors).toBeUndefined();
    expect(view.data!.lead.assignedConsultant?.id).toBe(second);
    expect(view.data!.lead.timeline.nodes.map((n) => [n.kind, n.consultant?.id ?? null])).toEqual([
      ['REASSIGNED', second],
      ['ESCALATED', ids.managerA],
      ['ASSIGNED', first],
      ['CREATED', null],
    ]);
    expect(view.data!.lead.timeline.nodes[1]!.consultant?.name).toBe('Huang Mei');

    // Dashboards see the reassignment as a lead-assignment event, once positioned by the relay.
    const events = await eventually(async () => {
      const res = await call<{
        leadAssignmentEvents: { reason: string; lead: { id: string }; consultant: { id: string } }[];
      }>(
        '{ leadAssignmentEvents(dealerCode: "EA01") { reason lead { id } consultant { id } } }',
        {},
        managerA,
      );
      const mine = res.data!.leadAssignmentEvents.filter((e) => e.lead.id === lead.id);
      expect(mine).toHaveLength(2);
      return mine;
    });
    expect(events.map((e) => e.consultant.id)).toEqual([first, second]);
    expect(events[1]!.reason).toMatch(/^SLA_REASSIGN:PREFERRED_DEALER\//);
  });

  it("dealer B cannot follow up dealer A's lead, nor a consultant another consultant's", async () => {
    const created = await call<{ leadCreate: { lead: { id: string; assignedConsultant: { id: string } } } }>(
      leadCreate,
      { input: { customerId: randomUUID(), source: 'APP', city: 'Xiamen', preferredDealerCode: 'EA01' } },
      admin,
    );
    const lead = created.data!.leadCreate.lead;
    const owner = lead.assignedConsultant.id;
    const other = owner === ids.a1 ? ids.a2 : ids.a1;
    const input = { leadId: lead.id, kind: 'CALL', outcome: 'REACHED' };

    const fromB = await call<{ followUpRecord: null }>(followUpRecord, { input }, managerB);
    expect(fromB.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const fromColleague = await call<{ followUpRecord: null }>(
      followUpRecord,
      { input },
      await consultantOf(other),
    );
    expect(fromColleague.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const analyst = await call<{ followUpRecord: null }>(
      followUpRecord,
      { input },
      await authHeader({ role: 'hq_analyst' }),
    );
    expect(analyst.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const [unchanged] = await stack.dbs.sales
      .select()
      .from(salesSchema.leads)
      .where(eq(salesSchema.leads.id, lead.id));
    expect(unchanged!.status).toBe('ASSIGNED');
    expect(
      await stack.dbs.sales
        .select()
        .from(salesSchema.followUps)
        .where(eq(salesSchema.followUps.leadId, lead.id)),
    ).toEqual([]);

    const fromOwner = await call<{ followUpRecord: { lead: { status: string } } }>(
      followUpRecord,
      { input },
      await consultantOf(owner),
    );
    expect(fromOwner.errors).toBeUndefined();
    expect(fromOwner.data!.followUpRecord.lead.status).toBe('CONTACTED');
  });

  it('takes a lead to WON: delivery publishes sales.order_delivered on the bus', async () => {
    const received: DomainEvent[] = [];
    const unsubscribe = await stack.bus.subscribe(
      'test.salesLifecycle',
      ['sales.order_delivered', 'sales.test_drive_completed'],
      async (e) => {
        received.push(e);
      },
    );
    try {
      const customerId = randomUUID();
      const created = await call<{
        leadCreate: { lead: { id: string; assignedConsultant: { id: string } } };
      }>(
        leadCreate,
        { input: { customerId, source: 'SHOWROOM', modelCode: 'TANK-300-2024', city: 'Fuzhou' } },
        admin,
      );
      const lead = created.data!.leadCreate.lead;
      expect(lead.assignedConsultant.id).toBe(ids.b1);
      const me = await consultantOf(ids.b1, 'EB01');
      const step = async <T>(query: string, input: Record<string, unknown>) => {
        const res = await call<T>(query, { input }, me);
        expect(res.errors).toBeUndefined();
        return res.data!;
      };
      await step(followUpRecord, { leadId: lead.id, kind: 'VISIT', outcome: 'REACHED' });
      const drive = await step<{ testDriveSchedule: { testDrive: { id: string } } }>(
        'mutation ($input: TestDriveScheduleInput!) { testDriveSchedule(input: $input) { testDrive { id } userErrors { code } } }',
        { leadId: lead.id, slotStart: new Date(Date.now() + 60 * minute).toISOString() },
      );
      await step(
        'mutation ($input: TestDriveCompleteInput!) { testDriveComplete(input: $input) { testDrive { status } userErrors { code } } }',
        {
          testDriveId: drive.testDriveSchedule.testDrive.id,
          outcome: 'LIKED',
        },
      );
      const order = await step<{ salesOrderCreate: { order: { id: string } } }>(
        'mutation ($input: SalesOrderCreateInput!) { salesOrderCreate(input: $input) { order { id } userErrors { code } } }',
        { leadId: lead.id, totalAmount: '199800.00' },
      );
      const orderId = order.salesOrderCreate.order.id;
      for (const status of ['DEPOSIT_PAID', 'ALLOCATED', 'INVOICED'])
        await step(
          'mutation ($input: SalesOrderAdvanceInput!) { salesOrderAdvance(input: $input) { order { status } userErrors { code } } }',
          {
            orderId,
            status,
          },
        );
      // Dealer A cannot deliver dealer B's order.
      const foreign = await call(
        'mutation ($input: SalesOrderDeliverInput!) { salesOrderDeliver(input: $input) { order { id } } }',
        { input: { orderId, vin: vin(9) } },
        managerA,
      );
      expect(foreign.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      const delivered = await step<{
        salesOrderDeliver: { order: { status: string; lead: { status: string } }; userErrors: unknown[] };
      }>(
        'mutation ($input: SalesOrderDeliverInput!) { salesOrderDeliver(input: $input) { order { status lead { status } } userErrors { code } } }',
        { orderId, vin: vin(7) },
      );
      expect(delivered.salesOrderDeliver).toEqual({
        order: { status: 'DELIVERED', lead: { status: 'WON' } },
        userErrors: [],
      });

      await eventually(() => {
        const topics = received.filter((e) => e.payload.customerId === customerId).map((e) => e.topic);
        expect(topics.sort()).toEqual(['sales.order_delivered', 'sales.test_drive_completed']);
      });
      const event = received.find((e) => e.topic === 'sales.order_delivered')!;
      expect(event.source).toBe('sales');
      expect(event.payload).toMatchObject({
        orderId,
        customerId,
        dealerCode: 'EB01',
        vin: vin(7),
        modelCode: 'TANK-300-2024',
      });
    } finally {
      await unsubscribe();
    }
  });

  it("a dealer manager configures its own dealer's SLA, not another's", async () => {
    const set =
      'mutation ($input: DealerSlaSetInput!) { dealerSlaSet(input: $input) { dealer { code slaMinutes } userErrors { code } } }';
    const own = await call<{ dealerSlaSet: { dealer: { slaMinutes: number } } }>(
      set,
      { input: { dealerCode: 'EB01', slaMinutes: 8 } },
      managerB,
    );
    expect(own.errors).toBeUndefined();
    expect(own.data!.dealerSlaSet.dealer.slaMinutes).toBe(8);
    const foreign = await call(set, { input: { dealerCode: 'EA01', slaMinutes: 60 } }, managerB);
    expect(foreign.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const [ea] = await stack.dbs.sales
      .select()
      .from(salesSchema.dealers)
      .where(eq(salesSchema.dealers.code, 'EA01'));
    expect(ea!.slaMinutes).toBe(5);
  });

  it('analytics: a dealer sees its own funnel only', async () => {
    const funnel = '{ salesFunnel(filter: { dealerCode: "EA01" }) { total stages { status current } } }';
    const forbidden = await call(funnel, {}, managerB);
    expect(forbidden.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const own = await call<{ salesFunnel: { total: number; stages: { status: string; current: number }[] } }>(
      funnel,
      {},
      managerA,
    );
    expect(own.errors).toBeUndefined();
    const rows = await stack.dbs.sales
      .select()
      .from(salesSchema.leads)
      .where(eq(salesSchema.leads.dealerCode, 'EA01'));
    expect(own.data!.salesFunnel.total).toBe(rows.length);
    const current = Object.fromEntries(own.data!.salesFunnel.stages.map((s) => [s.status, s.current]));
    expect(current.ASSIGNED).toBe(rows.filter((r) => r.status === 'ASSIGNED').length);
    expect(current.CONTACTED).toBe(rows.filter((r) => r.status === 'CONTACTED').length);
    // Without a dealer filter a dealer role still gets only its own leads.
    const implicit = await call<{ salesFunnel: { total: number } }>(
      '{ salesFunnel { total } }',
      {},
      managerA,
    );
    expect(implicit.data!.salesFunnel.total).toBe(rows.length);
  });
});
