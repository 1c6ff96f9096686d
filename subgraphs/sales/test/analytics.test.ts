import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { campaigns, dealers, leadEvents, leadStatusEnum, leads } from '../src/db/schema.ts';
import { funnelStages } from '../src/lifecycle/status.ts';
import { gql, seedNetwork, startTestStack, type TestStack } from './support.ts';

let stack: TestStack;
const minute = 60_000;
const day = 24 * 60 * minute;
const base = new Date('2026-05-01T00:00:00.000Z');

type Status = (typeof leads.$inferInsert)['status'] & string;
const statuses: Status[] = [...leadStatusEnum.enumValues];
const sources = ['WEBSITE', 'APP', 'CAMPAIGN'] as const;
const models = ['HAVAL-H6-2024', 'TANK-300-2024'];
const dealerCodes = ['SH01', 'SH02'];
const slaOf: Record<string, number> = { SH01: 5, SH02: 10 };

interface Sample {
  id: string;
  dealerCode: string | null;
  source: (typeof sources)[number];
  modelCode: string;
  status: Status;
  createdAt: Date;
  firstContactMinutes: number | null;
  /** For LOST leads: the status recorded in the timeline, or null for none (legacy). */
  lostFrom: Status | null;
}

/** A small deterministic generator, so the data set is the same in every run. */
function lcg(seed: number) {
  let state = seed;
  return (n: number) => {
    state = (state * 1103515245 + 12345) % 2147483648;
    // The high bits: an LCG's low bits cycle quickly.
    return Math.floor(state / 65536) % n;
  };
}

const samples: Sample[] = [];

beforeAll(async () => {
  stack = await startTestStack();
  await seedNetwork(stack.database);
  await stack.database.db.update(dealers).set({ slaMinutes: 10 }).where(eq(dealers.code, 'SH02'));
  const pick = lcg(42);
  for (let i = 0; i < 90; i++) {
    const status = statuses[pick(statuses.length)]!;
    const lostFrom =
      status === 'LOST' ? ([null, 'ASSIGNED', 'CONTACTED', 'TEST_DRIVEN'] as const)[pick(4)]! : null;
    const contacted =
      !['NEW', 'ASSIGNED'].includes(status) && !(status === 'LOST' && lostFrom === 'ASSIGNED');
    samples.push({
      id: randomUUID(),
      dealerCode: status === 'NEW' ? null : dealerCodes[pick(2)]!,
      source: sources[pick(3)]!,
      modelCode: models[pick(2)]!,
      status,
      createdAt: new Date(base.getTime() + pick(10) * day + pick(600) * minute),
      firstContactMinutes: contacted ? 1 + pick(40) + pick(100) / 100 : null,
      lostFrom,
    });
  }
  await stack.database.db.insert(leads).values(
    samples.map((s) => ({
      id: s.id,
      customerId: randomUUID(),
      dealerCode: s.dealerCode,
      source: s.source,
      modelCode: s.modelCode,
      status: s.status,
      assignedAt: s.status === 'NEW' ? null : s.createdAt,
      firstContactAt:
        s.firstContactMinutes === null
          ? null
          : new Date(s.createdAt.getTime() + s.firstContactMinutes * minute),
      createdAt: s.createdAt,
      updatedAt: s.createdAt,
    })),
  );
  await stack.database.db.insert(leadEvents).values(
    samples
      .filter((s) => s.lostFrom)
      .map((s) => ({
        leadId: s.id,
        kind: 'STATUS_CHANGED' as const,
        at: s.createdAt,
        fromStatus: s.lostFrom,
        toStatus: 'LOST' as const,
      })),
  );
  await stack.database.db.insert(campaigns).values([
    {
      code: 'MAY-WEB',
      name: 'May web',
      channel: 'WEBSITE',
      cost: '12000.00',
      startsOn: base,
      endsOn: new Date(base.getTime() + 31 * day),
    },
    {
      code: 'MAY-APP',
      name: 'May app',
      channel: 'APP',
      cost: '5000.50',
      startsOn: new Date(base.getTime() + 3 * day),
      endsOn: new Date(base.getTime() + 6 * day),
    },
    {
      code: 'APR-APP',
      name: 'April app',
      channel: 'APP',
      cost: '9999.00',
      startsOn: new Date(base.getTime() - 30 * day),
      endsOn: base,
    },
    {
      code: 'MAY-SHOW',
      name: 'Showroom days',
      channel: 'SHOWROOM',
      cost: '3000.00',
      startsOn: base,
      endsOn: new Date(base.getTime() + 2 * day),
    },
  ]);
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

interface Filter {
  dealerCode?: string;
  source?: string;
  modelCode?: string;
  from?: string;
  to?: string;
}

function matching(filter: Filter): Sample[] {
  return samples.filter(
    (s) =>
      (!filter.dealerCode || s.dealerCode === filter.dealerCode) &&
      (!filter.source || s.source === filter.source) &&
      (!filter.modelCode || s.modelCode === filter.modelCode) &&
      (!filter.from || s.createdAt >= new Date(filter.from)) &&
      (!filter.to || s.createdAt < new Date(filter.to)),
  );
}

/** percentile_cont: linear interpolation between the closest ranks. */
function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = p * (sorted.length - 1);
  const lower = Math.floor(pos);
  const upper = Math.ceil(pos);
  return sorted[lower]! + (pos - lower) * (sorted[upper]! - sorted[lower]!);
}

const filters: Filter[] = [
  {},
  { dealerCode: 'SH01' },
  { source: 'APP', modelCode: 'TANK-300-2024' },
  {
    from: new Date(base.getTime() + 2 * day).toISOString(),
    to: new Date(base.getTime() + 7 * day).toISOString(),
  },
  { dealerCode: 'sh02', source: 'WEBSITE', from: new Date(base.getTime() + 4 * day).toISOString() },
];

describe('sales analytics over inserted rows', () => {
  it('the generated data set is not degenerate', () => {
    expect(new Set(samples.map((s) => s.status))).toEqual(new Set(statuses));
    const lost = samples.filter((s) => s.status === 'LOST');
    expect(lost.some((s) => s.lostFrom === null) && lost.some((s) => s.lostFrom !== null)).toBe(true);
    expect(new Set(samples.map((s) => s.source)).size).toBe(sources.length);
  });

  it.each(filters)('salesFunnel %o', async (filter) => {
    const rows = matching({ ...filter, dealerCode: filter.dealerCode?.toUpperCase() });
    const stageOf = (s: Sample): Status => {
      if (s.status !== 'LOST') return s.status;
      if (s.lostFrom) return s.lostFrom;
      return s.firstContactMinutes !== null ? 'CONTACTED' : s.dealerCode ? 'ASSIGNED' : 'NEW';
    };
    const rank = (s: Status) => funnelStages.indexOf(s as (typeof funnelStages)[number]);
    const res = await gql<{
      salesFunnel: {
        total: number;
        lost: number;
        winRate: number;
        stages: { status: string; current: number; reached: number }[];
      };
    }>(
      stack,
      'query ($f: SalesAnalyticsFilter) { salesFunnel(filter: $f) { total lost winRate stages { status current reached } } }',
      {
        f: filter,
      },
    );
    if (res.errors) throw new Error(JSON.stringify(res.errors));
    const funnel = res.data!.salesFunnel;
    expect(funnel.total).toBe(rows.length);
    expect(funnel.lost).toBe(rows.filter((s) => s.status === 'LOST').length);
    expect(funnel.stages).toEqual(
      funnelStages.map((status) => ({
        status,
        current: rows.filter((s) => s.status === status).length,
        reached: rows.filter((s) => rank(stageOf(s)) >= rank(status)).length,
      })),
    );
    const won = rows.filter((s) => s.status === 'WON').length;
    expect(funnel.winRate).toBeCloseTo(rows.length ? won / rows.length : 0, 10);
  });

  it.each(filters)('speedToLead %o', async (filter) => {
    const rows = matching({ ...filter, dealerCode: filter.dealerCode?.toUpperCase() });
    const minutes = rows.flatMap((s) => (s.firstContactMinutes === null ? [] : [s.firstContactMinutes]));
    const res = await gql<{
      speedToLead: {
        leads: number;
        contacted: number;
        withinSla: number;
        medianMinutes: number | null;
        p90Minutes: number | null;
      };
    }>(
      stack,
      'query ($f: SalesAnalyticsFilter) { speedToLead(filter: $f) { leads contacted withinSla medianMinutes p90Minutes } }',
      {
        f: filter,
      },
    );
    if (res.errors) throw new Error(JSON.stringify(res.errors));
    const figures = res.data!.speedToLead;
    expect(figures.leads).toBe(rows.length);
    expect(figures.contacted).toBe(minutes.length);
    expect(figures.withinSla).toBe(
      rows.filter(
        (s) => s.firstContactMinutes !== null && s.firstContactMinutes <= (slaOf[s.dealerCode ?? ''] ?? 5),
      ).length,
    );
    const median = percentile(minutes, 0.5);
    const p90 = percentile(minutes, 0.9);
    if (median === null) expect(figures.medianMinutes).toBeNull();
    else expect(figures.medianMinutes).toBeCloseTo(median, 6);
    if (p90 === null) expect(figures.p90Minutes).toBeNull();
    else expect(figures.p90Minutes).toBeCloseTo(p90, 6);
  });

  it.each(filters)('channelRoi %o', async (filter) => {
    const rows = matching({ ...filter, dealerCode: filter.dealerCode?.toUpperCase() });
    const all = [
      { channel: 'WEBSITE', cost: 12000, startsOn: base, endsOn: new Date(base.getTime() + 31 * day) },
      {
        channel: 'APP',
        cost: 5000.5,
        startsOn: new Date(base.getTime() + 3 * day),
        endsOn: new Date(base.getTime() + 6 * day),
      },
      { channel: 'APP', cost: 9999, startsOn: new Date(base.getTime() - 30 * day), endsOn: base },
      { channel: 'SHOWROOM', cost: 3000, startsOn: base, endsOn: new Date(base.getTime() + 2 * day) },
    ].filter(
      (c) =>
        (!filter.source || c.channel === filter.source) &&
        (!filter.from || c.endsOn > new Date(filter.from)) &&
        (!filter.to || c.startsOn < new Date(filter.to)),
    );
    const channels = [
      ...new Set([...rows.map((s) => s.source as string), ...all.map((c) => c.channel)]),
    ].sort();
    const expected = channels.map((channel) => {
      const leadsOf = rows.filter((s) => s.source === channel);
      const won = leadsOf.filter((s) => s.status === 'WON').length;
      const cost = all.filter((c) => c.channel === channel).reduce((a, c) => a + c.cost, 0);
      return {
        channel,
        leads: leadsOf.length,
        won,
        cost: { amount: cost.toFixed(2) },
        costPerLead: leadsOf.length ? { amount: (cost / leadsOf.length).toFixed(2) } : null,
        costPerWon: won ? { amount: (cost / won).toFixed(2) } : null,
      };
    });
    const res = await gql<{ channelRoi: unknown[] }>(
      stack,
      `query ($f: SalesAnalyticsFilter) { channelRoi(filter: $f) {
        channel leads won cost { amount } costPerLead { amount } costPerWon { amount } } }`,
      { f: filter },
    );
    if (res.errors) throw new Error(JSON.stringify(res.errors));
    expect(res.data!.channelRoi).toEqual(expected);
  });

  it('each figure is one statement', async () => {
    for (const field of ['salesFunnel { total }', 'speedToLead { leads }', 'channelRoi { leads }']) {
      stack.database.counter.reset();
      await gql(stack, `{ ${field} }`);
      expect(stack.database.counter.requestCount).toBe(1);
    }
  });
});
