import { randomUUID } from 'node:crypto';
import { vinCheckDigit } from '@cx/platform/domain/vin';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventOutbox, slaTimers } from '../src/db/schema.ts';
import { createLead, gql, ids, seedNetwork, startTestStack, type TestStack } from './support.ts';

let stack: TestStack;
const minute = 60_000;

beforeAll(async () => {
  stack = await startTestStack();
  await seedNetwork(stack.database);
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

function tick(minutes = 1) {
  stack.clock.now = new Date(stack.clock.now.getTime() + minutes * minute);
}

interface UserErrors {
  userErrors: { field: string; code: string; message: string }[];
}

async function mutate<T>(name: string, inputType: string, selection: string, input: Record<string, unknown>) {
  const res = await gql<Record<string, T & UserErrors>>(
    stack,
    `mutation ($input: ${inputType}!) { ${name}(input: $input) { ${selection} userErrors { field code message } } }`,
    { input },
  );
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data![name]!;
}

const followUp = (input: Record<string, unknown>) =>
  mutate<{ lead: { status: string; firstContactAt: string | null } | null }>(
    'followUpRecord',
    'FollowUpRecordInput',
    'followUp { id kind outcome } lead { status firstContactAt }',
    input,
  );
const statusChange = (input: Record<string, unknown>) =>
  mutate<{ lead: { status: string; lostReason: string | null } | null }>(
    'leadStatusChange',
    'LeadStatusChangeInput',
    'lead { status lostReason }',
    input,
  );
const orderCreate = (input: Record<string, unknown>) =>
  mutate<{ order: { id: string; status: string; totalAmount: { amount: string } } | null }>(
    'salesOrderCreate',
    'SalesOrderCreateInput',
    'order { id status totalAmount { amount } }',
    input,
  );
const orderAdvance = (orderId: string, status: string) =>
  mutate<{ order: { status: string; lead: { status: string } | null } | null }>(
    'salesOrderAdvance',
    'SalesOrderAdvanceInput',
    'order { status lead { status } }',
    { orderId, status },
  );

/** A valid VIN: 16 characters and the check digit computed by the ISO 3779 rule. */
function vin(serial: number): string {
  const draft = `LGWEF4A5${'0'}R${String(serial).padStart(7, '0')}`;
  return `${draft.slice(0, 8)}${vinCheckDigit(draft)}${draft.slice(9)}`;
}

async function assignedLead(input: Record<string, unknown> = {}) {
  tick();
  const { lead } = await createLead(stack, { modelCode: 'HAVAL-H6-2024', city: 'Shanghai', ...input });
  expect(lead?.status).toBe('ASSIGNED');
  return lead!;
}

describe('follow-ups and lead status', () => {
  it('the first follow-up is the first contact; a VISIT moves on to VISITED; SLA timers stop', async () => {
    const lead = await assignedLead();
    tick(2);
    const first = await followUp({
      leadId: lead.id,
      kind: 'CALL',
      outcome: 'NO_ANSWER',
      note: ' rang twice ',
    });
    expect(first.userErrors).toEqual([]);
    expect(first.lead).toEqual({ status: 'CONTACTED', firstContactAt: stack.clock.now.toISOString() });
    const firstAt = stack.clock.now.toISOString();
    const timers = await stack.database.db.select().from(slaTimers).where(eq(slaTimers.leadId, lead.id));
    expect(timers.map((t) => t.state)).toEqual(['CANCELLED']);
    tick(30);
    const visit = await followUp({ leadId: lead.id, kind: 'VISIT', outcome: 'REACHED' });
    expect(visit.lead).toEqual({ status: 'VISITED', firstContactAt: firstAt });
    const res = await gql<{
      lead: { followUps: { totalCount: number; nodes: { kind: string; note: string | null }[] } };
    }>(stack, 'query ($id: ID!) { lead(id: $id) { followUps { totalCount nodes { kind note } } } }', {
      id: lead.id,
    });
    expect(res.data?.lead.followUps).toEqual({
      totalCount: 2,
      nodes: [
        { kind: 'VISIT', note: null },
        { kind: 'CALL', note: 'rang twice' },
      ],
    });
  });

  it('refuses illegal transitions and LOST without a reason, and closed leads take no follow-ups', async () => {
    const lead = await assignedLead();
    const ordered = await statusChange({ leadId: lead.id, status: 'ORDERED' });
    expect(ordered.userErrors.map((e) => [e.field, e.code])).toEqual([['status', 'ILLEGAL_TRANSITION']]);
    const won = await statusChange({ leadId: lead.id, status: 'WON' });
    expect(won.userErrors[0]?.code).toBe('ILLEGAL_TRANSITION');
    const backwards = await statusChange({ leadId: lead.id, status: 'NEW' });
    expect(backwards.userErrors[0]?.message).toContain('from ASSIGNED to NEW');
    const noReason = await statusChange({ leadId: lead.id, status: 'LOST', lostReason: '  ' });
    expect(noReason.userErrors.map((e) => [e.field, e.code])).toEqual([['lostReason', 'REQUIRED']]);
    const lost = await statusChange({ leadId: lead.id, status: 'LOST', lostReason: 'bought a competitor' });
    expect(lost.lead).toEqual({ status: 'LOST', lostReason: 'bought a competitor' });
    const revive = await statusChange({ leadId: lead.id, status: 'CONTACTED' });
    expect(revive.userErrors[0]?.message).toContain('from LOST to CONTACTED');
    const late = await followUp({ leadId: lead.id, kind: 'CALL', outcome: 'REACHED' });
    expect(late.userErrors.map((e) => e.code)).toEqual(['LEAD_CLOSED']);
    const missing = await followUp({ leadId: randomUUID(), kind: 'CALL', outcome: 'REACHED' });
    expect(missing.userErrors.map((e) => e.code)).toEqual(['NOT_FOUND']);
    const malformed = await followUp({ leadId: 'nope', kind: 'CALL', outcome: 'REACHED' });
    expect(malformed.userErrors.map((e) => [e.field, e.code])).toEqual([['leadId', 'INVALID_ID']]);
  });
});

describe('test drives and orders', () => {
  it('runs a lead to WON: test drive, order states, delivery with its event', async () => {
    const lead = await assignedLead();
    await followUp({ leadId: lead.id, kind: 'WECHAT', outcome: 'VISIT_SCHEDULED' });
    const slot = new Date(stack.clock.now.getTime() + 24 * 60 * minute);
    const past = await mutate<{ testDrive: null }>(
      'testDriveSchedule',
      'TestDriveScheduleInput',
      'testDrive { id }',
      {
        leadId: lead.id,
        slotStart: new Date(stack.clock.now.getTime() - minute).toISOString(),
      },
    );
    expect(past.userErrors.map((e) => e.code)).toEqual(['SLOT_IN_PAST']);
    const demo = vin(1);
    const scheduled = await mutate<{ testDrive: { id: string; status: string; model: { code: string } } }>(
      'testDriveSchedule',
      'TestDriveScheduleInput',
      'testDrive { id status model { code } }',
      { leadId: lead.id, slotStart: slot.toISOString(), vin: demo },
    );
    expect(scheduled.testDrive).toMatchObject({ status: 'SCHEDULED', model: { code: 'HAVAL-H6-2024' } });
    const other = await assignedLead({ customerId: randomUUID() });
    const clash = await mutate<{ testDrive: null }>(
      'testDriveSchedule',
      'TestDriveScheduleInput',
      'testDrive { id }',
      {
        leadId: other.id,
        slotStart: new Date(slot.getTime() + 10 * minute).toISOString(),
        vin: demo,
      },
    );
    expect(clash.userErrors.map((e) => e.code)).toEqual(['SLOT_TAKEN']);

    tick(24 * 60 + 40);
    const done = await mutate<{ testDrive: { status: string; outcome: string; lead: { status: string } } }>(
      'testDriveComplete',
      'TestDriveCompleteInput',
      'testDrive { status outcome lead { status } }',
      { testDriveId: scheduled.testDrive.id, outcome: 'LIKED' },
    );
    expect(done.testDrive).toEqual({
      status: 'COMPLETED',
      outcome: 'LIKED',
      lead: { status: 'TEST_DRIVEN' },
    });
    const twice = await mutate<{ testDrive: null }>(
      'testDriveComplete',
      'TestDriveCompleteInput',
      'testDrive { id }',
      {
        testDriveId: scheduled.testDrive.id,
        outcome: 'LIKED',
      },
    );
    expect(twice.userErrors.map((e) => e.code)).toEqual(['ILLEGAL_TRANSITION']);

    const badAmount = await orderCreate({ leadId: lead.id, totalAmount: '-5' });
    expect(badAmount.userErrors.map((e) => [e.field, e.code])).toEqual([['totalAmount', 'INVALID_AMOUNT']]);
    const created = await orderCreate({ leadId: lead.id, totalAmount: '159800.5' });
    expect(created.order).toMatchObject({ status: 'CREATED', totalAmount: { amount: '159800.50' } });
    const orderId = created.order!.id;
    expect((await orderCreate({ leadId: lead.id, totalAmount: '1' })).userErrors[0]?.code).toBe(
      'ILLEGAL_TRANSITION',
    );
    expect((await orderAdvance(orderId, 'INVOICED')).userErrors[0]?.message).toContain(
      'from CREATED to INVOICED',
    );
    expect((await orderAdvance(orderId, 'DELIVERED')).userErrors[0]?.code).toBe('VIN_REQUIRED');
    for (const status of ['DEPOSIT_PAID', 'ALLOCATED', 'INVOICED']) {
      const step = await orderAdvance(orderId, status);
      expect(step.order).toEqual({ status, lead: { status: 'ORDERED' } });
    }
    const deliver = (v: string) =>
      mutate<{ order: { status: string; vehicle: { vin: string }; lead: { status: string } } | null }>(
        'salesOrderDeliver',
        'SalesOrderDeliverInput',
        'order { status vehicle { vin } lead { status } }',
        { orderId, vin: v },
      );
    expect((await deliver('LGWEF4A50R000000X')).userErrors[0]?.field).toBe('vin');
    const sold = vin(2);
    const delivered = await deliver(sold);
    expect(delivered.order).toEqual({ status: 'DELIVERED', vehicle: { vin: sold }, lead: { status: 'WON' } });

    const events = await stack.database.db.select().from(eventOutbox);
    const byTopic = (topic: string) => events.filter((e) => e.topic === topic).map((e) => e.payload);
    expect(byTopic('sales.order_delivered')).toEqual([
      expect.objectContaining({
        orderId,
        vin: sold,
        dealerCode: lead.dealer!.code,
        modelCode: 'HAVAL-H6-2024',
      }),
    ]);
    expect(byTopic('sales.test_drive_completed')).toEqual([
      expect.objectContaining({ testDriveId: scheduled.testDrive.id, modelCode: 'HAVAL-H6-2024' }),
    ]);

    const timeline = await gql<{
      lead: { timeline: { nodes: { kind: string; toStatus: string | null }[] } };
    }>(stack, 'query ($id: ID!) { lead(id: $id) { timeline(first: 50) { nodes { kind toStatus } } } }', {
      id: lead.id,
    });
    const kinds = timeline.data!.lead.timeline.nodes.map((n) => n.kind);
    for (const kind of [
      'ORDER_DELIVERED',
      'ORDER_CREATED',
      'TEST_DRIVE_COMPLETED',
      'TEST_DRIVE_SCHEDULED',
      'CONTACTED',
    ])
      expect(kinds).toContain(kind);
    expect(
      timeline.data!.lead.timeline.nodes.filter((n) => n.kind === 'STATUS_CHANGED').map((n) => n.toStatus),
    ).toEqual(['WON', 'ORDERED', 'TEST_DRIVEN', 'CONTACTED']);
  });

  it('a cancelled order loses the lead', async () => {
    const lead = await assignedLead({ customerId: randomUUID() });
    await followUp({ leadId: lead.id, kind: 'CALL', outcome: 'REACHED' });
    const created = await orderCreate({ leadId: lead.id, totalAmount: '100000' });
    const cancelled = await orderAdvance(created.order!.id, 'CANCELLED');
    expect(cancelled.order).toEqual({ status: 'CANCELLED', lead: { status: 'LOST' } });
    expect((await orderAdvance(created.order!.id, 'DEPOSIT_PAID')).userErrors[0]?.code).toBe(
      'ILLEGAL_TRANSITION',
    );
  });
});

describe('dealer SLA and working hours settings', () => {
  it('sets SLA windows, the manager and working hours, validating each', async () => {
    const set = (input: Record<string, unknown>) =>
      mutate<{
        dealer: { slaMinutes: number; escalationMinutes: number; manager: { id: string } | null } | null;
      }>(
        'dealerSlaSet',
        'DealerSlaSetInput',
        'dealer { slaMinutes escalationMinutes manager { id } }',
        input,
      );
    expect(
      await set({ dealerCode: 'hz01', slaMinutes: 15, escalationMinutes: 30, managerConsultantId: ids.hz1 }),
    ).toEqual({
      dealer: { slaMinutes: 15, escalationMinutes: 30, manager: { id: ids.hz1 } },
      userErrors: [],
    });
    expect((await set({ dealerCode: 'HZ01', slaMinutes: 0 })).userErrors.map((e) => e.code)).toEqual([
      'OUT_OF_RANGE',
    ]);
    expect(
      (await set({ dealerCode: 'HZ01', managerConsultantId: ids.nj1 })).userErrors.map((e) => e.field),
    ).toEqual(['managerConsultantId']);
    expect((await set({ dealerCode: 'XX99' })).userErrors.map((e) => e.code)).toEqual(['NOT_FOUND']);

    const hours = (workingHours: unknown) =>
      mutate<{ consultant: { workingHours: { days: number[]; start: string; end: string } | null } | null }>(
        'consultantWorkingHoursSet',
        'ConsultantWorkingHoursSetInput',
        'consultant { workingHours { days start end } }',
        { consultantId: ids.bj1, workingHours },
      );
    expect((await hours({ days: [5, 1, 1], start: '09:00', end: '18:00' })).consultant).toEqual({
      workingHours: { days: [1, 5], start: '09:00', end: '18:00' },
    });
    expect((await hours({ days: [1], start: '18:00', end: '09:00' })).userErrors.map((e) => e.code)).toEqual([
      'INVALID_WORKING_HOURS',
    ]);
    expect((await hours(null)).consultant).toEqual({ workingHours: null });
  });
});

describe('list fields go through loaders', () => {
  it('timeline, follow-ups, test drives and consultants of many leads cost the same statements as of few', async () => {
    const query = `query ($first: Int) { leadAssignmentEvents(first: $first) { lead {
      assignedConsultant { name dealer { code } }
      timeline(first: 5) { totalCount nodes { kind consultant { name } } }
      followUps(first: 5) { totalCount nodes { kind consultant { name } } }
      testDrives { status model { code } }
    } } }`;
    for (let i = 0; i < 12; i++) {
      const lead = await assignedLead({ customerId: randomUUID() });
      await followUp({ leadId: lead.id, kind: 'CALL', outcome: 'REACHED' });
    }
    const count = async (first: number) => {
      stack.database.counter.reset();
      const res = await gql<{ leadAssignmentEvents: unknown[] }>(stack, query, { first });
      expect(res.errors).toBeUndefined();
      expect(res.data!.leadAssignmentEvents).toHaveLength(first);
      return stack.database.counter.requestCount;
    };
    const few = await count(2);
    expect(await count(12)).toBe(few);
  });
});

describe('leadsIngest', () => {
  const ingest = (leads: Record<string, unknown>[]) =>
    gql<{
      leadsIngest: {
        leads: ({ id: string; status: string } | null)[];
        created: number;
        merged: number;
        userErrors: { index: number; field: string; code: string }[];
      };
    }>(
      stack,
      `mutation ($input: LeadsIngestInput!) { leadsIngest(input: $input) {
        leads { id status } created merged userErrors { index field code } } }`,
      { input: { leads } },
    );

  it('applies good records, reports bad ones by index, and merges duplicates within the batch', async () => {
    tick();
    const customer = randomUUID();
    const res = await ingest([
      {
        customerId: customer,
        source: 'CAMPAIGN',
        modelCode: 'TANK-300-2024',
        city: 'Beijing',
        campaignCode: 'C1',
      },
      { customerId: 'not-a-uuid', source: 'APP' },
      { customerId: customer, source: 'APP', modelCode: 'tank-300-2024', city: 'Beijing' },
      { customerId: randomUUID(), source: 'WEBSITE', city: 'x'.repeat(65) },
      { customerId: randomUUID(), source: 'WEBSITE', city: 'Hangzhou' },
    ]);
    const out = res.data!.leadsIngest;
    expect(out.userErrors).toEqual([
      { index: 1, field: 'customerId', code: 'INVALID_ID' },
      { index: 3, field: 'city', code: 'TOO_LONG' },
    ]);
    expect(out.leads.map((l) => l?.status ?? null)).toEqual(['ASSIGNED', null, 'ASSIGNED', null, 'ASSIGNED']);
    expect(out.leads[2]!.id).toBe(out.leads[0]!.id);
    expect({ created: out.created, merged: out.merged }).toEqual({ created: 2, merged: 1 });
  });

  it('runs the same number of statements for 20 and 200 leads, and refuses more than 1,000', async () => {
    const batch = (n: number) =>
      Array.from({ length: n }, (_, i) => ({
        customerId: randomUUID(),
        source: 'WEBSITE',
        city: ['Shanghai', 'Hangzhou', 'Beijing', 'Nanjing'][i % 4],
      }));
    const count = async (n: number) => {
      tick();
      stack.database.counter.reset();
      const res = await ingest(batch(n));
      expect(res.data!.leadsIngest.created).toBe(n);
      return stack.database.counter.requestCount;
    };
    const small = await count(20);
    expect(await count(200)).toBe(small);
    expect(small).toBeLessThanOrEqual(10);
    const tooMany = await ingest(batch(1001));
    expect(tooMany.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});
