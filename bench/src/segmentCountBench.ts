import { randomBytes } from 'node:crypto';
import { customers, type SegmentExpression } from '@cx/customer/db/schema';
import { memberCondition } from '@cx/customer/segments/compile';
import type { Db } from '@cx/platform';
import { count, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { connectionBudget, inspectDataset } from './benchDatabase.ts';
import type { BenchHookContext, HookFigures } from './hooks.ts';
import {
  type GatewayProcess,
  postGraphql,
  type SubgraphFleet,
  startGatewayProcess,
  startSubgraphs,
} from './servers.ts';
import { percentile } from './stats.ts';

/**
 * Segment count (`Segment.size`) at 1M customers through the real path: the five subgraphs and our
 * gateway started over the growth database, each segment created with `segmentCreate` and its
 * size queried a few times (p50). The same segments are timed over the small dataset's running
 * gateway for comparison, and each count statement's plan is checked on the 1M database: a
 * sequential scan names its table in `seqScans`.
 */

type Headers = Record<string, string>;

export interface BenchSegment {
  name: string;
  expression: SegmentExpression;
}

/** Representative definitions over what the seeded dataset holds: city, age band and brand tags, consents. */
export const benchSegments: BenchSegment[] = [
  { name: 'city Shanghai', expression: { city: 'Shanghai' } },
  {
    name: 'age 30-39 with SMS consent',
    expression: { and: [{ tag: 'age:30-39' }, { consent: 'MARKETING_SMS' }] },
  },
  {
    name: 'owns WEY or Tank, not in Beijing',
    expression: {
      and: [{ or: [{ ownsBrand: 'WEY' }, { ownsBrand: 'Tank' }] }, { not: { city: 'Beijing' } }],
    },
  },
  {
    name: 'Hangzhou Haval owners with SMS consent',
    expression: { and: [{ tag: 'city:Hangzhou' }, { ownsBrand: 'Haval' }, { consent: 'MARKETING_SMS' }] },
  },
  { name: 'no SMS consent', expression: { not: { consent: 'MARKETING_SMS' } } },
];

export interface SegmentPoint {
  size: number;
  /** Segment.size through the gateway: median over the repetitions, and every sample. */
  p50Ms: number;
  samplesMs: number[];
}

const createMutation = `mutation ($input: SegmentCreateInput!) { segmentCreate(input: $input) { segment { id } userErrors { code message } } }`;
const sizeQuery = 'query ($id: ID!) { segment(id: $id) { size } }';

async function createSegment(url: string, headers: Headers, name: string, expression: SegmentExpression) {
  const { body } = await postGraphql(url, createMutation, { input: { name, expression } }, headers);
  const payload = body.data?.segmentCreate as { segment: { id: string } | null } | undefined;
  if (!payload?.segment) throw new Error(`segmentCreate "${name}": ${JSON.stringify(body).slice(0, 400)}`);
  return payload.segment.id;
}

/** Times `segment(id) { size }` `reps` times after one unmeasured call (plan and buffer warm-up). */
async function timeSize(url: string, headers: Headers, id: string, reps: number): Promise<SegmentPoint> {
  const samplesMs: number[] = [];
  let size = -1;
  for (let i = 0; i <= reps; i += 1) {
    const t = performance.now();
    const { status, body } = await postGraphql(url, sizeQuery, { id }, headers);
    const ms = performance.now() - t;
    const segment = body.data?.segment as { size?: number } | null | undefined;
    if (status !== 200 || body.errors || typeof segment?.size !== 'number')
      throw new Error(`segment ${id} size: HTTP ${status} ${JSON.stringify(body).slice(0, 400)}`);
    size = segment.size;
    if (i > 0) samplesMs.push(Number(ms.toFixed(1)));
  }
  const sorted = [...samplesMs].sort((a, b) => a - b);
  return { size, p50Ms: Number(percentile(sorted, 0.5).toFixed(1)), samplesMs };
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

/** The scans of the count statement the customer subgraph sends, from EXPLAIN on `url`. */
export async function countPlan(
  url: string,
  expression: SegmentExpression,
  now = new Date(),
): Promise<{ seqScans: string[]; scans: string[] }> {
  const client = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const db = drizzle({ client }) as unknown as Db;
    // As countAudiences builds it for one audience.
    const query = db
      .select({ audience: sql<number>`${0}::int`.as('audience'), n: count() })
      .from(customers)
      .where(memberCondition(db, expression, now))
      .toSQL();
    const [row] = await client.unsafe(`explain (format json) ${query.sql}`, query.params as never[]);
    const [explained] = (row?.['QUERY PLAN'] ?? []) as { Plan: PlanNode }[];
    if (!explained) throw new Error('EXPLAIN returned no plan');
    const plan = explained.Plan;
    const scans: string[] = [];
    const seqScans: string[] = [];
    const walk = (node: PlanNode) => {
      if (node['Node Type'] === 'Seq Scan') seqScans.push(node['Relation Name'] ?? '?');
      if (node['Node Type'].includes('Scan'))
        scans.push(`${node['Node Type']} ${node['Index Name'] ?? node['Relation Name'] ?? ''}`.trim());
      for (const child of node.Plans ?? []) walk(child);
    };
    walk(plan);
    return { seqScans, scans };
  } finally {
    await client.end();
  }
}

/** Removes this run's segments, so repeated runs leave the shared 1M database as they found it. */
async function dropSegments(url: string, prefix: string): Promise<void> {
  const client = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await client`delete from customer.segments where name like ${`${prefix}%`}`;
  } finally {
    await client.end();
  }
}

async function measureOn(
  url: string,
  headers: Headers,
  prefix: string,
  reps: number,
): Promise<Map<string, SegmentPoint>> {
  const out = new Map<string, SegmentPoint>();
  for (const s of benchSegments) {
    const id = await createSegment(url, headers, `${prefix}${s.name}`, s.expression);
    out.set(s.name, await timeSize(url, headers, id, reps));
  }
  return out;
}

/** The bench hook run.ts calls. Needs the 1M dataset (context.growthUrl). */
export async function runSegmentCountBench(context: BenchHookContext): Promise<HookFigures> {
  if (!context.growthUrl)
    return {
      notMeasured: context.quick
        ? 'the 1M dataset is not used in quick mode'
        : 'no 1M dataset (create cx_bench_1m on the bench server and seed it, or pass --growth-url)',
    };
  const headers = await context.authHeaders();
  const reps = context.quick ? 3 : 5;
  const prefix = `bench-count ${randomBytes(3).toString('hex')} `;
  const small = await measureOn(context.gatewayUrl, headers, prefix, reps);
  await dropSegments(context.databaseUrl, prefix);

  let fleet: SubgraphFleet | undefined;
  let gateway: GatewayProcess | undefined;
  const large = new Map<string, SegmentPoint>();
  let customersAtLarge = 0;
  try {
    // Migrates it first: run.ts's growth step, which would, comes after the hooks.
    await inspectDataset(context.growthUrl);
    const client = postgres(context.growthUrl, { max: 1, onnotice: () => {} });
    try {
      const [row] = await client<{ n: number }[]>`
        select count(*)::int as n from customer.customers where merged_into is null`;
      customersAtLarge = row?.n ?? 0;
    } finally {
      await client.end();
    }
    context.log(
      `starting the subgraphs and our gateway on the 1M dataset (${customersAtLarge} live customers)`,
    );
    fleet = await startSubgraphs(context.growthUrl, Math.min(4, await connectionBudget(context.serverUrl)));
    gateway = await startGatewayProcess('cx', fleet.urls);
    for (const [name, point] of await measureOn(gateway.url, headers, prefix, reps)) large.set(name, point);
  } finally {
    await gateway?.stop();
    await fleet?.stop();
    await dropSegments(context.growthUrl, prefix).catch(() => {});
  }

  const figures: HookFigures = { liveCustomersAt1M: customersAtLarge, repetitions: reps };
  const atLarge = `${customersAtLarge.toLocaleString('en-US')} customers`;
  let worst = 0;
  const seqScanned: string[] = [];
  for (const s of benchSegments) {
    const big = large.get(s.name)!;
    const base = small.get(s.name)!;
    const plan = await countPlan(context.growthUrl, s.expression);
    worst = Math.max(worst, big.p50Ms);
    if (plan.seqScans.length > 0) seqScanned.push(`${s.name}: ${plan.seqScans.join(', ')}`);
    const line = `size ${big.size.toLocaleString('en-US')}, p50 ${big.p50Ms} ms at ${atLarge} (${base.p50Ms} ms at ${context.customers.toLocaleString('en-US')}; samples ${big.samplesMs.join('/')}); plan: ${plan.scans.join(', ')}`;
    figures[s.name] = line;
    context.log(`segment "${s.name}": ${line}`);
  }
  figures.p50MsMaxAt1M = worst;
  figures.seqScans = seqScanned.length > 0 ? seqScanned.join('; ') : 'none';
  return figures;
}
