import { randomUUID } from 'node:crypto';
import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leadAssignments, leads, outbox } from '../src/db/schema.ts';
import { relayOutboxStep } from '../src/repositories/outbox.ts';
import {
  createLead,
  eventually,
  gql,
  ids,
  type LeadCreateData,
  seedNetwork,
  startTestStack,
  type TestStack,
} from './support.ts';

let stack: TestStack;
const minute = 60_000;

beforeAll(async () => {
  stack = await startTestStack();
  await seedNetwork(stack.database);
}, 60_000);

afterAll(async () => {
  await stack?.close();
});

/** Each lead a minute after the previous one, so round robin has a clear order. */
function tick(): void {
  stack.clock.now = new Date(stack.clock.now.getTime() + minute);
}

async function outboxRows() {
  return stack.database.db.select().from(outbox).orderBy(asc(outbox.id));
}

async function reasonOf(leadId: string): Promise<string | undefined> {
  const [row] = await stack.database.db
    .select()
    .from(leadAssignments)
    .where(eq(leadAssignments.leadId, leadId));
  return row?.reason;
}

describe('leadCreate assigns within one transaction', () => {
  it('assigns to the preferred dealer when it exists, and records the reason and the event', async () => {
    tick();
    const { lead, userErrors } = await createLead(stack, {
      source: 'SHOWROOM',
      modelCode: 'haval-h6-2024',
      city: 'Shanghai',
      preferredDealerCode: 'bj01',
    });
    expect(userErrors).toEqual([]);
    expect(lead).toMatchObject({
      status: 'ASSIGNED',
      grade: 'H',
      dealer: { code: 'BJ01' },
      assignedConsultant: { id: ids.bj1 },
    });
    expect(lead!.assignedAt).toBe(stack.clock.now.toISOString());
    expect(await reasonOf(lead!.id)).toBe('PREFERRED_DEALER/LEAST_OPEN_LEADS');
    const events = await outboxRows();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ topic: 'lead.assigned', dealerCode: 'BJ01' });
    expect(events[0]!.payload).toMatchObject({
      leadId: lead!.id,
      consultantId: ids.bj1,
      dealerCode: 'BJ01',
      reason: 'PREFERRED_DEALER/LEAST_OPEN_LEADS',
      assignedAt: stack.clock.now.toISOString(),
    });
    // A preferred dealer alone (no city) is enough.
    tick();
    const onlyPreferred = await createLead(stack, {
      modelCode: 'TANK-300-2024',
      preferredDealerCode: 'BJ01',
    });
    expect(onlyPreferred.lead).toMatchObject({ status: 'ASSIGNED', dealer: { code: 'BJ01' } });
    expect(await reasonOf(onlyPreferred.lead!.id)).toBe('PREFERRED_DEALER/LEAST_OPEN_LEADS');
  });

  it('falls back to the city, skipping unskilled and inactive consultants, and round-robins ties', async () => {
    // SH01: Li Na (Haval) and Wang Wei (no skills = any brand) are eligible, Zhao Lei is inactive;
    // SH02's Chen Jie sells WEY only. Both eligible start with no open leads: the lower id first.
    const picks: { consultant: string; reason: string | undefined }[] = [];
    for (let i = 0; i < 3; i++) {
      tick();
      const { lead } = await createLead(stack, { modelCode: 'HAVAL-DARGO-2024', city: ' shanghai ' });
      expect(lead).toMatchObject({ status: 'ASSIGNED', grade: 'A', dealer: { code: 'SH01' } });
      picks.push({ consultant: lead!.assignedConsultant!.id, reason: await reasonOf(lead!.id) });
    }
    expect(picks).toEqual([
      { consultant: ids.sh1a, reason: 'CITY_DEALER/ROUND_ROBIN' },
      { consultant: ids.sh1b, reason: 'CITY_DEALER/LEAST_OPEN_LEADS' },
      { consultant: ids.sh1a, reason: 'CITY_DEALER/ROUND_ROBIN' },
    ]);
  });

  it('prefers the consultant with the fewest open leads; WON and LOST leads do not count', async () => {
    // Li Na has 2 open, Wang Wei 1. Closing both of Li Na's makes her the least loaded.
    await stack.database.db.update(leads).set({ status: 'WON' }).where(eq(leads.consultantId, ids.sh1a));
    tick();
    const { lead } = await createLead(stack, { modelCode: 'HAVAL-H6-2024', city: 'Shanghai' });
    expect(lead!.assignedConsultant!.id).toBe(ids.sh1a);
    expect(await reasonOf(lead!.id)).toBe('CITY_DEALER/LEAST_OPEN_LEADS');
  });

  it('filters by skill and honours capacity', async () => {
    tick();
    const first = await createLead(stack, { modelCode: 'WEY-MOCHA-2024', city: 'Shanghai' });
    expect(first.lead).toMatchObject({ dealer: { code: 'SH02' }, assignedConsultant: { id: ids.sh2a } });
    // Chen Jie (capacity 1) is now full; Li Na sells Haval only, so the WEY lead goes to Wang Wei.
    tick();
    const second = await createLead(stack, { modelCode: 'WEY-MOCHA-2024', city: 'Shanghai' });
    expect(second.lead).toMatchObject({ dealer: { code: 'SH01' }, assignedConsultant: { id: ids.sh1b } });
    expect(await reasonOf(second.lead!.id)).toBe('CITY_DEALER/LEAST_OPEN_LEADS');
  });

  it('pools the region when no dealer of the city has an eligible consultant', async () => {
    // Nanjing's only consultant sells Tank; Liu Yang in Hangzhou (EAST) has no open leads.
    tick();
    const { lead } = await createLead(stack, { modelCode: 'HAVAL-H6-2024', city: 'Nanjing' });
    expect(lead).toMatchObject({
      status: 'ASSIGNED',
      dealer: { code: 'HZ01' },
      assignedConsultant: { id: ids.hz1 },
    });
    expect(await reasonOf(lead!.id)).toBe('REGIONAL_POOL/LEAST_OPEN_LEADS');
  });

  it('leaves the lead NEW, without an event, when nobody can take it', async () => {
    const before = (await outboxRows()).length;
    tick();
    const { lead } = await createLead(stack, { source: 'WEBSITE', city: 'Lhasa' });
    expect(lead).toMatchObject({
      status: 'NEW',
      grade: 'B',
      dealer: null,
      assignedConsultant: null,
      assignedAt: null,
    });
    const none = await createLead(stack, { source: 'CAMPAIGN' });
    expect(none.lead).toMatchObject({ status: 'NEW', grade: 'C' });
    expect(await outboxRows()).toHaveLength(before);
  });

  it('rejects a malformed customer id in userErrors', async () => {
    const { lead, userErrors } = await createLead(stack, {
      customerId: 'not-a-uuid',
      modelCode: 'X'.repeat(65),
    });
    expect(lead).toBeNull();
    expect(userErrors).toEqual([
      { field: 'customerId', code: 'INVALID_ID', message: 'customerId: is not a customer id' },
      { field: 'modelCode', code: 'TOO_LONG', message: 'modelCode: must be at most 64 characters' },
    ]);
  });
});

describe('duplicates', () => {
  it('returns the open lead of the same customer and model within 30 days', async () => {
    const customerId = randomUUID();
    tick();
    const first = await createLead(stack, { customerId, modelCode: 'TANK-300-2024', city: 'Beijing' });
    const events = (await outboxRows()).length;
    stack.clock.now = new Date(stack.clock.now.getTime() + 29 * 24 * 60 * minute);
    const again = await createLead(stack, {
      customerId,
      modelCode: 'tank-300-2024',
      city: 'Shanghai',
      source: 'SHOWROOM',
    });
    expect(again.lead!.id).toBe(first.lead!.id);
    expect(await outboxRows()).toHaveLength(events);
    // Another model is another lead.
    const other = await createLead(stack, { customerId, modelCode: 'TANK-500-2025', city: 'Beijing' });
    expect(other.lead!.id).not.toBe(first.lead!.id);
    // Past the window, or once the lead is closed, a new lead is created.
    stack.clock.now = new Date(stack.clock.now.getTime() + 2 * 24 * 60 * minute);
    const later = await createLead(stack, { customerId, modelCode: 'TANK-300-2024', city: 'Beijing' });
    expect(later.lead!.id).not.toBe(first.lead!.id);
    await stack.database.db.update(leads).set({ status: 'LOST' }).where(eq(leads.id, later.lead!.id));
    const afterLost = await createLead(stack, { customerId, modelCode: 'TANK-300-2024', city: 'Beijing' });
    expect(afterLost.lead!.id).not.toBe(later.lead!.id);
  });

  it('creates one lead for concurrent identical requests', async () => {
    const customerId = randomUUID();
    tick();
    const results = await Promise.all(
      Array.from({ length: 6 }, () =>
        createLead(stack, { customerId, modelCode: 'HAVAL-H6-2024', city: 'Hangzhou' }),
      ),
    );
    expect(new Set(results.map((r) => r.lead!.id)).size).toBe(1);
    const rows = await stack.database.db.select().from(leads).where(eq(leads.customerId, customerId));
    expect(rows).toHaveLength(1);
  });
});

describe('concurrency and cost', () => {
  it('never exceeds capacity under concurrent creates', async () => {
    // Chen Jie (SH02, capacity 1) is full; free her and race five WEY leads for her single slot.
    await stack.database.db.update(leads).set({ status: 'WON' }).where(eq(leads.consultantId, ids.sh2a));
    tick();
    const results = await Promise.all(
      Array.from({ length: 5 }, () => createLead(stack, { modelCode: 'WEY-LANSHAN-2025', city: 'Shanghai' })),
    );
    const toChen = results.filter((r) => r.lead!.assignedConsultant?.id === ids.sh2a);
    expect(toChen).toHaveLength(1);
    expect(results.every((r) => r.lead!.status === 'ASSIGNED')).toBe(true);
  });

  it('runs a bounded number of statements per leadCreate, however many candidates there are', async () => {
    const { counter } = stack.database;
    const create = async (input: Record<string, unknown>) => {
      tick();
      counter.reset();
      const res = await gql<LeadCreateData>(
        stack,
        'mutation ($input: LeadCreateInput!) { leadCreate(input: $input) { lead { id status } } }',
        {
          input: { customerId: randomUUID(), source: 'APP', ...input },
        },
      );
      expect(res.data?.leadCreate.lead?.status).toBe('ASSIGNED');
      // requestCount leaves out background work: the relay step this commit kicks, and its polls.
      return counter.requestCount;
    };
    // Lead lock, duplicate check, region locks, candidates (one statement for every dealer and
    // consultant of the region), insert lead, insert assignment, insert event, insert timeline
    // (CREATED and ASSIGNED), insert SLA timer.
    const cityLead = await create({
      modelCode: 'HAVAL-H6-2024',
      city: 'Shanghai',
      preferredDealerCode: 'SH02',
    });
    const pooledLead = await create({ modelCode: 'HAVAL-H6-2024', city: 'Nanjing' });
    expect(cityLead).toBeLessThanOrEqual(9);
    expect(pooledLead).toBe(cityLead);
  });
});

describe('the relay', () => {
  it('positions every committed event gap-free, including ones nobody kicked (crash between write and notify)', async () => {
    // A row written as if the process died right after commit: no in-process kick, only the poll finds it.
    await stack.database.db
      .insert(outbox)
      .values({ topic: 'test.orphan', dealerCode: null, payload: { orphan: true } });
    const positions = await eventually(async () => {
      const rows = await stack.database.db
        .select({ position: outbox.position })
        .from(outbox)
        .orderBy(asc(outbox.position));
      if (rows.some((r) => r.position === null)) throw new Error('relay has not run yet');
      return rows.map((r) => r.position);
    });
    expect(positions).toEqual(positions.map((_, i) => i + 1));
    // Positions follow insert order within one relay step and never reuse a value.
    const byId = await stack.database.db
      .select({ position: outbox.position })
      .from(outbox)
      .orderBy(asc(outbox.id));
    expect(new Set(byId.map((r) => r.position)).size).toBe(byId.length);
  });

  it('lets one relay step at a time assign positions, even when many run at once', async () => {
    await stack.database.db
      .insert(outbox)
      .values(
        Array.from({ length: 20 }, (_, i) => ({ topic: 'test.burst', dealerCode: null, payload: { i } })),
      );
    const steps = await Promise.all(Array.from({ length: 6 }, () => relayOutboxStep(stack.database.db)));
    // Concurrent steps either wait their turn (PGlite has one connection) or skip (Postgres try-lock).
    expect(steps.reduce((n, s) => n + s.assigned, 0)).toBeLessThanOrEqual(20);
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
