import { and, eq, inArray, ne, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consultants, dealers, leadEvents, leads, outbox, slaTimers } from '../src/db/schema.ts';
import { slaCounts, slaEvents } from '../src/sla/metrics.ts';
import { runSlaSweep, SLA_REASSIGN_PREFIX } from '../src/sla/sweep.ts';
import { createLead, eventually, gql, ids, seedNetwork, startTestStack, type TestStack } from './support.ts';

let stack: TestStack;
const minute = 60_000;
const at = (base: Date, minutes: number) => new Date(base.getTime() + minutes * minute);

beforeAll(async () => {
  stack = await startTestStack();
  await seedNetwork(stack.database);
  // SH01: 5 minutes to first contact, then 10 before reassignment; its manager is Zhao Lei (who
  // takes no leads himself: inactive as a consultant).
  await stack.database.db
    .update(dealers)
    .set({ slaMinutes: 5, escalationMinutes: 10, managerConsultantId: ids.sh1x })
    .where(eq(dealers.code, 'SH01'));
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

async function timelineOf(leadId: string) {
  const res = await gql<{
    lead: {
      status: string;
      assignedConsultant: { id: string } | null;
      timeline: {
        totalCount: number;
        nodes: { kind: string; consultant: { id: string } | null; note: string }[];
      };
    };
  }>(
    stack,
    `query ($id: ID!) { lead(id: $id) { status assignedConsultant { id }
      timeline(first: 50) { totalCount nodes { kind consultant { id } note } } } }`,
    { id: leadId },
  );
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data!.lead;
}

/** Pins the sweeper's view: nothing else pending from earlier tests fires in this one. */
async function settleAllPending() {
  await stack.database.db.update(slaTimers).set({ state: 'CANCELLED' }).where(eq(slaTimers.state, 'PENDING'));
}

/** A Haval lead for SH01, created at the current clock, with nothing else pending. */
async function freshShanghaiLead() {
  await settleAllPending();
  const t0 = stack.clock.now;
  const { lead } = await createLead(stack, {
    modelCode: 'HAVAL-H6-2024',
    city: 'Shanghai',
    preferredDealerCode: 'SH01',
  });
  return { t0, lead: lead!, first: lead!.assignedConsultant!.id };
}

describe('SLA escalation and reassignment', () => {
  it('escalates to the dealer manager on breach, then reassigns after the second window', async () => {
    const { t0, lead, first } = await freshShanghaiLead();
    expect(lead.dealer?.code).toBe('SH01');

    // One second before the deadline nothing is due.
    expect(
      (await runSlaSweep(stack.database.db, { now: new Date(at(t0, 5).getTime() - 1000) })).claimed,
    ).toBe(0);
    const breach = await runSlaSweep(stack.database.db, { now: at(t0, 5) });
    expect(breach.escalated).toEqual([
      { leadId: lead.id, dealerCode: 'SH01', consultantId: first, toConsultantId: ids.sh1x, reason: null },
    ]);
    expect(breach.reassigned).toEqual([]);
    let timeline = await timelineOf(lead.id);
    expect(timeline.assignedConsultant?.id).toBe(first);
    expect(timeline.timeline.nodes.map((n) => n.kind)).toEqual(['ESCALATED', 'ASSIGNED', 'CREATED']);
    expect(timeline.timeline.nodes[0]!.consultant?.id).toBe(ids.sh1x);

    // The second window runs from the breach (t0 + 5) for SH01's 10 minutes.
    expect((await runSlaSweep(stack.database.db, { now: at(t0, 14) })).claimed).toBe(0);
    const events = await stack.database.db.select().from(outbox).where(eq(outbox.topic, 'lead.assigned'));
    const reassign = await runSlaSweep(stack.database.db, { now: at(t0, 15) });
    expect(reassign.reassigned).toHaveLength(1);
    const moved = reassign.reassigned[0]!;
    expect(moved.consultantId).toBe(first);
    expect(moved.toConsultantId).not.toBe(first);
    expect(moved.reason).toMatch(new RegExp(`^${SLA_REASSIGN_PREFIX}PREFERRED_DEALER/`));

    timeline = await timelineOf(lead.id);
    expect(timeline.status).toBe('ASSIGNED');
    expect(timeline.assignedConsultant?.id).toBe(moved.toConsultantId);
    expect(timeline.timeline.nodes.map((n) => n.kind)).toEqual([
      'REASSIGNED',
      'ESCALATED',
      'ASSIGNED',
      'CREATED',
    ]);
    expect(timeline.timeline.nodes[0]!.consultant?.id).toBe(moved.toConsultantId);

    // The reassignment is a lead-assignment stream event like any other.
    const after = await stack.database.db.select().from(outbox).where(eq(outbox.topic, 'lead.assigned'));
    expect(after.length).toBe(events.length + 1);
    const payloads = after.map((r) => r.payload as { leadId: string; consultantId: string; reason: string });
    expect(payloads.filter((p) => p.leadId === lead.id).map((p) => p.consultantId)).toEqual([
      first,
      moved.toConsultantId,
    ]);

    // The new consultant gets a fresh first-contact window.
    expect((await runSlaSweep(stack.database.db, { now: at(t0, 19) })).claimed).toBe(0);
    const again = await runSlaSweep(stack.database.db, { now: at(t0, 20) });
    expect(again.escalated.map((e) => [e.leadId, e.consultantId])).toEqual([[lead.id, moved.toConsultantId]]);
  });

  it('a follow-up before the deadline stops the SLA: nothing fires later', async () => {
    const { t0, lead } = await freshShanghaiLead();
    stack.clock.now = at(t0, 3);
    const res = await gql<{ followUpRecord: { lead: { status: string; firstContactAt: string } } }>(
      stack,
      `mutation ($input: FollowUpRecordInput!) { followUpRecord(input: $input) {
        lead { status firstContactAt } userErrors { field code message } } }`,
      { input: { leadId: lead.id, kind: 'CALL', outcome: 'REACHED' } },
    );
    expect(res.data?.followUpRecord.lead).toEqual({
      status: 'CONTACTED',
      firstContactAt: at(t0, 3).toISOString(),
    });
    const later = await runSlaSweep(stack.database.db, { now: at(t0, 60) });
    expect(later.claimed).toBe(0);
    const kinds = (await timelineOf(lead.id)).timeline.nodes.map((n) => n.kind);
    expect(kinds).not.toContain('ESCALATED');
    expect(new Set(kinds)).toEqual(
      new Set(['FOLLOWED_UP', 'CONTACTED', 'STATUS_CHANGED', 'ASSIGNED', 'CREATED']),
    );
    stack.clock.now = at(t0, 61);
  });

  it('records REASSIGN_FAILED and keeps the lead when nobody else can take it', async () => {
    await settleAllPending();
    const t0 = stack.clock.now;
    // Everyone but Nanjing's Tank specialist is away: the breaching consultant is the only candidate.
    const away = await stack.database.db
      .update(consultants)
      .set({ active: false })
      .where(and(ne(consultants.id, ids.nj1), eq(consultants.active, true)))
      .returning({ id: consultants.id });
    try {
      const { lead } = await createLead(stack, { modelCode: 'TANK-300-2024', city: 'Nanjing' });
      expect(lead!.assignedConsultant?.id).toBe(ids.nj1);
      await runSlaSweep(stack.database.db, { now: at(t0, 5) });
      const result = await runSlaSweep(stack.database.db, { now: at(t0, 15) });
      expect(result.reassignFailed.map((r) => r.leadId)).toEqual([lead!.id]);
      const view = await timelineOf(lead!.id);
      expect(view.assignedConsultant?.id).toBe(ids.nj1);
      expect(view.timeline.nodes[0]!.kind).toBe('REASSIGN_FAILED');
    } finally {
      await stack.database.db
        .update(consultants)
        .set({ active: true })
        .where(
          inArray(
            consultants.id,
            away.map((c) => c.id),
          ),
        );
    }
  });

  it('reassignment honours working hours: an off-hours colleague is skipped for the regional pool', async () => {
    // Shanghai leads for a Haval buyer: SH01 has Li Na (Haval) and Wang Wei (all brands).
    const { t0, first } = await freshShanghaiLead();
    const colleague = first === ids.sh1a ? ids.sh1b : ids.sh1a;
    // The colleague works nights only, so at the reassignment (Monday morning) they are off.
    const nights = { days: [1, 2, 3, 4, 5, 6, 7], start: '22:00', end: '23:00' };
    await stack.database.db
      .update(consultants)
      .set({ workingHours: nights })
      .where(eq(consultants.id, colleague));
    try {
      await runSlaSweep(stack.database.db, { now: at(t0, 5) });
      const result = await runSlaSweep(stack.database.db, { now: at(t0, 15) });
      const moved = result.reassigned[0]!;
      expect(moved.toConsultantId).not.toBe(colleague);
      expect(moved.toConsultantId).not.toBe(first);
      expect(moved.reason).toMatch(/\/OFF_HOURS_SKIPPED:PREFERRED_DEALER\+CITY_DEALER$/);
    } finally {
      await stack.database.db
        .update(consultants)
        .set({ workingHours: null })
        .where(eq(consultants.id, colleague));
    }
  });

  it('two sweepers on two connections fire each due timer exactly once', async () => {
    await settleAllPending();
    const t0 = stack.clock.now;
    const created: string[] = [];
    for (let i = 0; i < 24; i++) {
      const { lead } = await createLead(stack, { source: 'WEBSITE', city: i % 2 ? 'Beijing' : 'Hangzhou' });
      created.push(lead!.id);
    }
    const other = await stack.secondHandle();
    const handles = [stack.database.db, other.db];
    // Small batches so the two sweepers interleave and contend for the same rows.
    const loop = async (index: number) => {
      let escalated = 0;
      for (;;) {
        // Past every first-contact deadline (5 minutes), before any reassignment (15).
        const result = await runSlaSweep(handles[index]!, { now: at(t0, 6), limit: 3 });
        escalated += result.escalated.length;
        if (result.claimed === 0) return escalated;
      }
    };
    const [a, b] = await Promise.all([loop(0), loop(1)]);
    expect(a + b).toBe(created.length);
    const rows = await stack.database.db
      .select({ leadId: leadEvents.leadId, n: sql<number>`count(*)::int` })
      .from(leadEvents)
      .where(and(eq(leadEvents.kind, 'ESCALATED'), sql`${leadEvents.leadId} in ${created}`))
      .groupBy(leadEvents.leadId);
    expect(rows).toHaveLength(created.length);
    expect(rows.every((r) => Number(r.n) === 1)).toBe(true);
    const reassignTimers = await stack.database.db
      .select({ n: sql<number>`count(*)::int` })
      .from(slaTimers)
      .where(
        and(
          eq(slaTimers.kind, 'REASSIGN'),
          eq(slaTimers.state, 'PENDING'),
          sql`${slaTimers.leadId} in ${created}`,
        ),
      );
    expect(Number(reassignTimers[0]!.n)).toBe(created.length);
    stack.clock.now = at(t0, 31);
  });

  it('the sweeper in onStart polls the database with the injected clock and reports breaches', async () => {
    // Its own stack: a sweeper polling every 50 ms would race the hand-driven sweeps above.
    const polled = await startTestStack({ slaPollMs: 50 });
    await seedNetwork(polled.database);
    const before = slaCounts().breaches;
    const seen: number[] = [];
    const listener = (r: { escalated: unknown[] }) => seen.push(r.escalated.length);
    slaEvents.on('sweep', listener);
    try {
      const t0 = polled.clock.now;
      const { lead } = await createLead(polled, {
        modelCode: 'HAVAL-H6-2024',
        city: 'Shanghai',
        preferredDealerCode: 'SH01',
      });
      polled.clock.now = at(t0, 6);
      await eventually(async () => {
        const [row] = await polled.database.db
          .select()
          .from(leadEvents)
          .where(and(eq(leadEvents.leadId, lead!.id), eq(leadEvents.kind, 'ESCALATED')));
        expect(row).toBeDefined();
      });
      expect(slaCounts().breaches).toBeGreaterThanOrEqual(before + 1);
      expect(seen.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(1);
      const [current] = await polled.database.db.select().from(leads).where(eq(leads.id, lead!.id));
      expect(current!.status).toBe('ASSIGNED');
    } finally {
      slaEvents.off('sweep', listener);
      await polled.close();
    }
  });
});
