import { schema as salesSchema } from '@cx/sales';
import { and, eq, gte, inArray, notInArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../../test/helpers/testStack.ts';
import { authHeader } from '../../test/helpers/tokens.ts';
import { leadInputs } from '../src/leadInputs.ts';
import { closeBenchLeads, measureLeadStream } from '../src/leadStreamBench.ts';

/** The lead-stream bench's bookkeeping against a real stack: every event at every subscriber, per phase. */
describe('lead stream bench', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack('bench_lead_stream', { customers: 40 });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('times every delivery of a paced and a saturated phase and charges CPU to each', async () => {
    let cpuReads = 0;
    const created: string[] = [];
    const inputs = await leadInputs({
      customer: stack.dbs.customer,
      vehicle: stack.dbs.vehicle,
      sales: stack.dbs.sales,
    });
    // Pairs with an open lead of the last 30 days would be answered as duplicates: the seeded data has some, and they are left out.
    const open = await stack.dbs.sales
      .select({ customerId: salesSchema.leads.customerId, modelCode: salesSchema.leads.modelCode })
      .from(salesSchema.leads)
      .where(
        and(
          notInArray(salesSchema.leads.status, ['WON', 'LOST']),
          gte(salesSchema.leads.createdAt, new Date(Date.now() - 30 * 24 * 3600 * 1000)),
        ),
      );
    expect(open.length).toBeGreaterThan(0);
    const openPairs = new Set(open.map((l) => `${l.customerId} ${l.modelCode}`));
    expect(inputs.filter((i) => openPairs.has(`${i.customerId} ${i.modelCode}`))).toEqual([]);
    const report = await measureLeadStream({
      gatewayUrl: stack.gateway.url,
      headers: await authHeader({ role: 'hq_admin' }),
      inputs,
      subscribers: 4,
      subscriberThreads: 2,
      onLeadCreated: (id) => created.push(id),
      phases: [
        { name: 'paced', leads: 5, ratePerSecond: 10 },
        { name: 'saturated', leads: 6, concurrency: 2 },
      ],
      warmupLeads: 2,
      deadline: Date.now() + 120_000,
      // Stands in for the forked processes' probes: a steadily growing reading.
      cpuMs: async () => {
        cpuReads += 1;
        return { gateway: cpuReads * 100, subgraphs: cpuReads * 10 };
      },
      log: () => {},
    });
    expect(report.subscribers).toBe(4);
    // Spread over two worker threads, whose epoch-clock arrival times still line up with the leads'.
    expect(report.subscriberThreads).toBe(2);
    // Every lead the run made is named (warm-up ones included), so the hook can settle their SLA timers.
    expect(new Set(created).size).toBe(created.length);
    expect(created.length).toBeGreaterThanOrEqual(2 + 5 + 6);
    // Closed afterwards, they no longer hold consultants' capacity nor wait on an SLA timer.
    await closeBenchLeads(stack.dbs.sales, created);
    const { leads, slaTimers } = salesSchema;
    const left = await stack.dbs.sales
      .select({ status: leads.status })
      .from(leads)
      .where(inArray(leads.id, created));
    expect(new Set(left.map((l) => l.status))).toEqual(new Set(['LOST']));
    const timers = await stack.dbs.sales
      .select({ state: slaTimers.state })
      .from(slaTimers)
      .where(and(inArray(slaTimers.leadId, created), eq(slaTimers.state, 'PENDING')));
    expect(timers).toEqual([]);
    expect(report.phases.map((p) => p.name)).toEqual(['paced', 'saturated']);
    const [paced, saturated] = report.phases;
    expect(paced).toMatchObject({
      name: 'paced',
      leads: 5,
      ratePerSecond: 10,
      concurrency: null,
      failures: 0,
    });
    expect(saturated).toMatchObject({
      name: 'saturated',
      leads: 6,
      ratePerSecond: null,
      concurrency: 2,
      failures: 0,
    });
    // The fifth paced lead is sent 0.4 s after the first, whatever the answers do.
    expect(paced!.seconds).toBeGreaterThanOrEqual(0.4);
    for (const phase of [paced!, saturated!]) {
      expect(phase.eventsDeliveredPerSecond).toBeGreaterThan(0);
      const { p50, p99, max } = phase.latencyFromRequestMs;
      expect(p50).toBeGreaterThan(0);
      expect(p50).toBeLessThanOrEqual(p99);
      expect(p99).toBeLessThanOrEqual(max);
      // The threads' clock lines up with this one's: an event seconds, not an epoch, after its request.
      expect(max).toBeLessThan(60_000);
      // Two readings per phase, 100 ms of "gateway CPU" apart, over the phase's leads.
      expect(phase.gatewayCpuMsPerLead).toBeCloseTo(100 / phase.leads, 1);
    }
  });
});
