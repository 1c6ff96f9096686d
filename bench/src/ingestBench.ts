import { randomBytes, randomInt } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { customers, type SegmentExpression } from '@cx/customer/db/schema';
import { countSegment } from '@cx/customer/segments/compile';
import {
  createPiiCipher,
  type Db,
  type EventBus,
  loadEnv,
  openEmbeddedDatabase,
  subgraphNames,
} from '@cx/platform';
import { nationalIdCheckChar } from '@cx/platform/domain/nationalId';
import { count, isNull, sql } from 'drizzle-orm';
import postgres from 'postgres';
import { request } from 'undici';
import { openDatabases, securityFromEnv, startStack } from '../../scripts/lib/stack.ts';
import { benchAuthHeaders } from './auth.ts';
import { inspectDataset } from './benchDatabase.ts';
import { cities, models } from './catalog.ts';
import type { BenchHookContext, HookFigures, StackCpuMs } from './hooks.ts';
import { resultsDir } from './paths.ts';

/**
 * customersIngest throughput through the gateway over HTTP (batches of 1,000, progress lines) and
 * segment count times.
 *
 * - As a bench hook (`runIngestBench`, called by run.ts): ingests into the running gateway over
 *   the bench dataset (external ids, phones and ID numbers unique to the run) and times
 *   `Segment.size` through it.
 * - Standalone: `npx tsx bench/src/ingestBench.ts [--records 20000] [--batch 1000]
 *   [--segment-customers 1000000] [--database-url postgres://...] [--pool 3] [--concurrency 3] [--match-lag N] [--no-events] [--keep]
 *   [--log-statements]`
 *   boots the supergraph on free ports over a fresh database (a new Postgres database next to
 *   --database-url / DATABASE_URL, or an in-memory PGlite), optionally adds synthetic customers
 *   for the segment counts, and writes bench/results/ingest.{json,md}.
 */

type Log = (line: string) => void;
type Headers = Record<string, string>;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

/** Phones, ID numbers and external ids from `base` on, so runs against one database never collide. */
interface RecordSpace {
  prefix: string;
  phoneBase: number;
  idBase: number;
}

function randomSpace(): RecordSpace {
  return {
    prefix: `B${randomBytes(3).toString('hex')}`,
    phoneBase: randomInt(0, 800_000_000),
    // Birth dates from 1960 on, 1,000 sequence numbers per day: stays in the past.
    idBase: randomInt(0, 15_000_000),
  };
}

const phoneOf = (space: RecordSpace, serial: number) =>
  `13${String((space.phoneBase + serial) % 1_000_000_000).padStart(9, '0')}`;

function nationalIdOf(space: RecordSpace, serial: number): string {
  const n = space.idBase + serial;
  const birth = new Date(Date.UTC(1960, 0, 1) + Math.floor(n / 1000) * 86_400_000);
  const first17 = `${cities[n % cities.length]!.areaCode}${birth.toISOString().slice(0, 10).replaceAll('-', '')}${String(n % 1000).padStart(3, '0')}`;
  return `${first17}${nationalIdCheckChar(first17)}`;
}

/**
 * Deterministic records: mostly new DMS customers; every 10th an app record carrying the verified
 * phone of the customer `lag` records earlier (MATCHED), every 50th also another earlier
 * customer's ID (MERGED). With a lag of several batches the match is stored already; with a lag
 * inside the batch before, two batches in flight share people and the later waits for the earlier.
 */
function recordOf(space: RecordSpace, i: number, observedAt: string, lag: number): Record<string, unknown> {
  const city = cities[i % cities.length]!;
  const base = {
    name: `Bench ${i}`,
    city: city.city,
    province: city.province,
    observedAt,
    consents: [
      { purpose: 'MARKETING_SMS', granted: i % 10 < 7 },
      { purpose: 'MARKETING_PUSH', granted: i % 10 < 3 },
    ],
  };
  const app = { ...base, source: 'APP', externalId: `${space.prefix}-APP-${i}`, phoneVerified: true };
  if (i > lag && i % 50 === 0)
    return { ...app, phone: phoneOf(space, i - lag), nationalId: nationalIdOf(space, i - lag + 2) };
  if (i > lag && i % 10 === 0) return { ...app, phone: phoneOf(space, i - lag) };
  return {
    ...base,
    source: 'DMS',
    externalId: `${space.prefix}-DMS-${i}`,
    phone: phoneOf(space, i),
    phoneVerified: true,
    nationalId: i % 5 < 3 ? nationalIdOf(space, i) : null,
    email: i % 4 === 0 ? `${space.prefix.toLowerCase()}${i}@example.com` : null,
  };
}

async function postGraphQL<T>(
  url: string,
  headers: Headers,
  query: string,
  variables: Record<string, unknown>,
): Promise<{ data?: T; errors?: { message: string }[] }> {
  return postBody<T>(url, headers, JSON.stringify({ query, variables }));
}

async function postBody<T>(
  url: string,
  headers: Headers,
  body: string | Buffer,
): Promise<{ data?: T; errors?: { message: string }[] }> {
  const res = await request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  return (await res.body.json()) as { data?: T; errors?: { message: string }[] };
}

const ingestMutation = `mutation ($input: CustomersIngestInput!) {
  customersIngest(input: $input) { results { outcome } userErrors { code } }
}`;

interface IngestData {
  customersIngest: { results: { outcome: string }[]; userErrors: { code: string }[] };
}

export interface IngestFigures {
  records: number;
  batchSize: number;
  /** Parallel clients. */
  concurrency: number;
  /** Records between a match and its person's first record (recordOf). */
  matchLag: number;
  seconds: number;
  recordsPerSecond: number;
  medianBatchMs: number;
  /** Re-sending the first batch: the idempotent (UNCHANGED) path. */
  resendBatchMs: number;
  outcomes: Record<string, number>;
  rejected: number;
}

/**
 * CPU time used so far, in ms: this process (standalone runs hold the whole stack) and the Postgres
 * backends serving `database` when the server runs on this machine (read from /proc; null
 * elsewhere). Steadier than records/s on a shared machine, where the work waits for a core.
 */
export function cpuMeter(database: string | undefined): () => { nodeMs: number; postgresMs: number | null } {
  const ticksMs = 10; // USER_HZ is 100 on Linux
  const postgresMs = (): number | null => {
    if (!database) return null;
    let ticks = 0;
    let found = false;
    let pids: string[];
    try {
      pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
    } catch {
      return null;
    }
    for (const pid of pids) {
      try {
        // Backends name their database in the process title: "postgres: 15/main: user db host(port) ...".
        if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(` ${database} `)) continue;
        const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
        ticks += Number(fields[11]) + Number(fields[12]);
        found = true;
      } catch {
        // The process ended between listing and reading.
      }
    }
    return found ? ticks * ticksMs : null;
  };
  const read = () => {
    const { user, system } = process.cpuUsage();
    return { nodeMs: (user + system) / 1000, postgresMs: postgresMs() };
  };
  const start = read();
  return () => {
    const now = read();
    return {
      nodeMs: now.nodeMs - start.nodeMs,
      postgresMs:
        now.postgresMs === null || start.postgresMs === null ? null : now.postgresMs - start.postgresMs,
    };
  };
}

/**
 * A lag that puts each match in a batch that ended before the matching batch began (clients take
 * batches in order, so at most `concurrency - 1` others are in flight): people matched against
 * stored customers, as when concurrent batches come from different dealers.
 */
// The +1 keeps the match on a DMS record (every 10th record is an app record carrying someone else's phone).
const matchLagStored = (concurrency: number, batchSize: number) => (concurrency + 1) * batchSize + 1;

/** A lag inside the batch before: every batch shares 100 people with one still in flight. */
const matchLagInFlight = 101;

/**
 * Prepares `total` records in batches and, on `run`, posts them through the gateway from
 * `concurrency` parallel clients (a DMS vendor pushing several dealers' exports at once), with a
 * progress line every 5 batches.
 */
function prepareIngest(options: {
  url: string;
  headers: Headers;
  total: number;
  batchSize: number;
  concurrency?: number;
  /** How many records back a matching record's person was first sent (recordOf); see matchLagStored. */
  matchLag?: number;
  log: Log;
}): { run(): Promise<IngestFigures> } {
  const { url, headers, total, batchSize, log } = options;
  const concurrency = options.concurrency ?? 1;
  const matchLag = options.matchLag ?? matchLagStored(concurrency, batchSize);
  const space = randomSpace();
  const observedAt = new Date().toISOString();
  // Request bodies are built before the clock starts, as a load generator sends prepared requests:
  // building and serializing 1,000 records took ~40 ms of the same two cores per batch, which the
  // figure would otherwise charge to the server.
  const bodyOf = (from: number, n: number) =>
    Buffer.from(
      JSON.stringify({
        query: ingestMutation,
        variables: {
          input: {
            records: Array.from({ length: n }, (_, k) => recordOf(space, from + k + 1, observedAt, matchLag)),
          },
        },
      }),
    );
  const bodies: Buffer[] = [];
  for (let from = 0; from < total; from += batchSize)
    bodies.push(bodyOf(from, Math.min(batchSize, total - from)));
  const post = async (body: Buffer) => {
    const reply = await postBody<IngestData>(url, headers, body);
    if (!reply.data) throw new Error(`customersIngest failed: ${JSON.stringify(reply.errors)}`);
    return reply.data.customersIngest;
  };
  const run = async (): Promise<IngestFigures> => {
    const outcomes: Record<string, number> = {};
    let rejected = 0;
    const batchMs: number[] = [];
    const started = performance.now();
    let next = 0;
    let done = 0;
    const client = async () => {
      while (next < total) {
        const from = next;
        const n = Math.min(batchSize, total - from);
        next += n;
        const t = performance.now();
        const report = await post(bodies[from / batchSize]!);
        batchMs.push(performance.now() - t);
        for (const r of report.results) outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
        rejected += report.userErrors.length;
        done += n;
        const elapsed = (performance.now() - started) / 1000;
        if (done === total || batchMs.length % 5 === 0)
          log(
            `ingest: ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} records, ${Math.round(done / elapsed).toLocaleString('en-US')} records/s (last batch ${(batchMs.at(-1)! / 1000).toFixed(2)} s)`,
          );
      }
    };
    await Promise.all(Array.from({ length: concurrency }, client));
    const seconds = (performance.now() - started) / 1000;
    const resendStart = performance.now();
    // The first batch again: the idempotent (UNCHANGED) path.
    await post(bodies[0]!);
    return {
      records: total,
      batchSize,
      concurrency,
      matchLag,
      seconds: Number(seconds.toFixed(2)),
      recordsPerSecond: Math.round(total / seconds),
      medianBatchMs: Math.round(median(batchMs)),
      resendBatchMs: Math.round(performance.now() - resendStart),
      outcomes,
      rejected,
    };
  };
  return { run };
}

const ingestThroughGateway = (options: Parameters<typeof prepareIngest>[0]) => prepareIngest(options).run();

const benchSegments = (brand: string, model: string): { name: string; expression: SegmentExpression }[] => [
  { name: 'city', expression: { city: 'Shanghai' } },
  {
    name: 'age band and SMS consent',
    expression: { and: [{ tag: 'age:30-39' }, { consent: 'MARKETING_SMS' }] },
  },
  {
    name: `viewed ${model}, not in Beijing, owns ${brand} or Tank`,
    expression: {
      and: [
        { tag: `viewed:${model}` },
        { not: { city: 'Beijing' } },
        { or: [{ ownsBrand: brand }, { ownsBrand: 'Tank' }] },
      ],
    },
  },
  { name: 'everyone without SMS consent', expression: { not: { consent: 'MARKETING_SMS' } } },
];

export interface SegmentTiming {
  name: string;
  size: number;
  /** countSegment straight on the database (standalone runs only), median of 5. */
  countMs: number | null;
  /** Segment.size through the gateway, median of 5. */
  gatewayMs: number;
}

/** Creates each bench segment through the gateway and times its size, five times each. */
async function timeSegments(options: {
  url: string;
  headers: Headers;
  db?: Db;
  log: Log;
}): Promise<SegmentTiming[]> {
  const { url, headers, db, log } = options;
  const run = randomBytes(3).toString('hex');
  const out: SegmentTiming[] = [];
  for (const s of benchSegments('WEY', models.find((m) => m.brand === 'WEY')!.code)) {
    const created = await postGraphQL<{ segmentCreate: { segment: { id: string } | null } }>(
      url,
      headers,
      `mutation ($input: SegmentCreateInput!) { segmentCreate(input: $input) { segment { id } } }`,
      { input: { name: `bench ${run} ${s.name}`, expression: s.expression } },
    );
    const id = created.data?.segmentCreate.segment?.id;
    if (!id) throw new Error(`segmentCreate failed: ${JSON.stringify(created.errors)}`);
    const gatewayMs: number[] = [];
    let size = 0;
    for (let i = 0; i < 5; i += 1) {
      const t = performance.now();
      const res = await postGraphQL<{ segment: { size: number } }>(
        url,
        headers,
        `query ($id: ID!) { segment(id: $id) { size } }`,
        { id },
      );
      gatewayMs.push(performance.now() - t);
      size = res.data?.segment.size ?? -1;
    }
    const countMs: number[] = [];
    for (let i = 0; db && i < 5; i += 1) {
      const t = performance.now();
      await countSegment(db, s.expression);
      countMs.push(performance.now() - t);
    }
    const timing = {
      name: s.name,
      size,
      countMs: db ? Number(median(countMs).toFixed(1)) : null,
      gatewayMs: Number(median(gatewayMs).toFixed(1)),
    };
    out.push(timing);
    log(
      `segment "${s.name}": ${size.toLocaleString('en-US')} members, Segment.size ${timing.gatewayMs} ms through the gateway${timing.countMs === null ? '' : `, countSegment ${timing.countMs} ms`} (medians of 5)`,
    );
  }
  return out;
}

/**
 * Where an ingest's CPU went, per 1,000 records, and the records per second the machine's cores
 * would carry at that cost: a steadier figure than records/s on a shared host whose speed drifts.
 */
function cpuPer1000Records(
  records: number,
  used: { nodeMs: number; postgresMs: number | null },
  before: { gateway: number; subgraphs: number } | undefined,
  after: { gateway: number; subgraphs: number } | undefined,
): HookFigures {
  if (!before || !after || used.postgresMs === null) return {};
  const per1000 = (ms: number) => Math.round((ms * 1000) / records);
  const parts = {
    gatewayCpuMsPer1000: per1000(after.gateway - before.gateway),
    subgraphsCpuMsPer1000: per1000(after.subgraphs - before.subgraphs),
    postgresCpuMsPer1000: per1000(used.postgresMs),
    clientCpuMsPer1000: per1000(used.nodeMs),
  };
  const total = Object.values(parts).reduce((a, b) => a + b, 0);
  return { ...parts, cpuBoundRecordsPerSecond: Math.round((availableParallelism() * 1_000_000) / total) };
}

/**
 * The hook's batches: 1,000 records each, from several DMS clients at once as in production (a
 * client's own batches are sequential).
 */
const hookBatches = { batchSize: 1000, concurrency: 3 };

/**
 * Warm-up, then the measured ingest through one gateway, with the CPU each process spent on it.
 * Matches point at customers stored batches earlier (matchLagStored).
 */
async function measureIngest(options: {
  url: string;
  headers: Headers;
  databaseUrl: string;
  cpuMs?: () => Promise<StackCpuMs>;
  total: number;
  log: Log;
}) {
  const common = { url: options.url, headers: options.headers, ...hookBatches };
  // Warm-up, as for the 360 windows: the first batches pay for JIT compilation and new connections.
  await ingestThroughGateway({ ...common, total: 3000, log: () => {} });
  const measured = prepareIngest({ ...common, total: options.total, log: options.log });
  const meter = cpuMeter(new URL(options.databaseUrl).pathname.slice(1));
  const stackBefore = await options.cpuMs?.();
  const ingest = await measured.run();
  const cpu = cpuPer1000Records(ingest.records, meter(), stackBefore, await options.cpuMs?.());
  return { ingest, cpu };
}

/**
 * The bench hook run.ts calls: ingest through the running gateway over the bench dataset (10k),
 * then, when the run has it, through a gateway over the 1M dataset, where every index a record
 * lands in is a hundred times larger.
 */
export async function runIngestBench(context: BenchHookContext): Promise<HookFigures> {
  const headers = await context.authHeaders();
  const total = context.quick ? 2000 : 20_000;
  const { ingest, cpu } = await measureIngest({
    url: context.gatewayUrl,
    headers,
    databaseUrl: context.databaseUrl,
    cpuMs: context.cpuMs,
    total,
    log: context.log,
  });
  // The worst case: every batch waits for the one before it, whose people it shares.
  context.log('ingest: again, each batch sharing 100 people with the batch in flight before it');
  const overlapping = await ingestThroughGateway({
    url: context.gatewayUrl,
    headers,
    ...hookBatches,
    total: context.quick ? 2000 : 10_000,
    matchLag: matchLagInFlight,
    log: context.log,
  });
  const segments = await timeSegments({ url: context.gatewayUrl, headers, log: context.log });
  const large = await measureLargeIngest(context, headers, total);
  const { outcomes, ...figures } = ingest;
  return {
    ...figures,
    ...cpu,
    created: outcomes.CREATED ?? 0,
    matched: outcomes.MATCHED ?? 0,
    merged: outcomes.MERGED ?? 0,
    sharingBatchesRecordsPerSecond: overlapping.recordsPerSecond,
    sharingBatchesOutcomes: JSON.stringify(overlapping.outcomes),
    segmentSizeMedianMs: Math.max(...segments.map((s) => s.gatewayMs)),
    segmentSizes: segments.map((s) => `${s.name}: ${s.size} in ${s.gatewayMs} ms`).join('; '),
    ...large,
  };
}

/** The same ingest into the 1M dataset, on a stack of its own; figures prefixed `large`. */
async function measureLargeIngest(
  context: BenchHookContext,
  headers: Headers,
  total: number,
): Promise<HookFigures> {
  if (!context.largeStack) return {};
  const stack = await context.largeStack();
  try {
    const customers = await inspectDataset(stack.databaseUrl);
    context.log(`ingest: into the large dataset (${customers.toLocaleString('en-US')} customers)`);
    const { ingest, cpu } = await measureIngest({
      url: stack.gatewayUrl,
      headers,
      databaseUrl: stack.databaseUrl,
      cpuMs: stack.cpuMs,
      total,
      log: (line) => context.log(`large: ${line}`),
    });
    const prefixed = (figures: Record<string, unknown>) =>
      Object.fromEntries(
        Object.entries(figures).map(([k, v]) => [`large${k[0]!.toUpperCase()}${k.slice(1)}`, v]),
      );
    return {
      largeCustomers: customers,
      ...prefixed({
        recordsPerSecond: ingest.recordsPerSecond,
        medianBatchMs: ingest.medianBatchMs,
        outcomes: JSON.stringify(ingest.outcomes),
        ...cpu,
      }),
    };
  } finally {
    await stack.stop();
  }
}

/** Adds synthetic live customers with fact and behavior tags and consents in bulk SQL. */
async function addSyntheticCustomers(db: Db, from: number, target: number, log: Log) {
  const chunk = 250_000;
  const cityList = sql.raw(`array[${cities.map((c) => `'${c.city.replace("'", "''")}'`).join(',')}]`);
  const brands = [...new Set(models.map((m) => m.brand))];
  const brandList = sql.raw(`array[${brands.map((b) => `'${b}'`).join(',')}]`);
  const modelList = sql.raw(`array[${models.map((m) => `'${m.code}'`).join(',')}]`);
  for (let start = from; start < target; start += chunk) {
    const end = Math.min(target, start + chunk);
    const started = performance.now();
    const ids = sql`select g, md5('bench-synthetic-' || g)::uuid as id from generate_series(${start}::int, ${end - 1}::int) g`;
    await db.execute(sql`insert into customer.customers (id, display_name, city, birth_date, created_at, updated_at)
      select s.id, 'Synthetic ' || s.g, (${cityList})[1 + s.g % ${cities.length}],
        date '1960-01-01' + (s.g % 15000), now() - make_interval(secs => s.g), now() from (${ids}) s`);
    await db.execute(sql`insert into customer.tags (customer_id, key, label, kind, expires_at)
      select s.id, t.key, t.key, t.kind::customer.tag_kind, t.expires_at from (${ids}) s
      cross join lateral (values
        ('city:' || (${cityList})[1 + s.g % ${cities.length}], 'FACT', null::timestamptz),
        ('age:' || case when s.g % 15000 > 12000 then 'under-30' when s.g % 15000 > 8000 then '30-39'
                        when s.g % 15000 > 4000 then '40-49' else '50-plus' end, 'FACT', null),
        ('owns:' || (${brandList})[1 + (s.g / 7) % ${brands.length}], 'FACT', null),
        (case when s.g % 10 = 0 then 'viewed:' || (${modelList})[1 + (s.g / 10) % ${models.length}] end, 'BEHAVIOR',
         now() + interval '5 days')
      ) as t(key, kind, expires_at) where t.key is not null`);
    await db.execute(sql`insert into customer.consents (customer_id, purpose, granted, source)
      select s.id, 'MARKETING_SMS', s.g % 10 < 7, 'DMS' from (${ids}) s`);
    log(
      `synthetic: ${(end - from).toLocaleString('en-US')}/${(target - from).toLocaleString('en-US')} customers (${((performance.now() - started) / 1000).toFixed(1)} s for this chunk)`,
    );
  }
  // What autovacuum would do after a bulk load: statistics, and a visibility map for index-only scans.
  for (const table of ['customers', 'tags', 'consents'])
    await db.execute(sql.raw(`vacuum analyze customer.${table}`));
}

/**
 * Waits until every customer outbox event has a position and is published: the in-process bus
 * resolves a publish only once every consumer handled the event. False after `timeoutMs`.
 */
async function outboxDrained(db: Db, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const result: unknown = await db.execute(sql`select exists (
        select 1 from customer.event_outbox where position is null
          or position > coalesce((select max(published_position) from customer.event_relay_state), 0)
      ) as pending`);
    // postgres.js returns the rows, PGlite an object holding them.
    const rows = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as {
      pending: boolean;
    }[];
    if (!rows[0]?.pending) return true;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  return false;
}

/** A bus that accepts and drops every event: nothing consumes them, so the figure is ingest alone. */
const silentBus: EventBus = {
  publish: async () => {},
  subscribe: async () => async () => {},
  close: async () => {},
};

/** A fresh database for a standalone run, so the figures never depend on (or touch) existing data. */
async function freshDatabase(
  adminUrl: string | undefined,
  options: { keep: boolean; logStatements: boolean },
  log: Log,
) {
  const { keep } = options;
  if (!adminUrl) {
    const pglite = await openEmbeddedDatabase('memory');
    return { engine: 'pglite', name: undefined, url: undefined, pglite, drop: () => pglite.close() };
  }
  const name = `cx_bench_ingest_${randomBytes(4).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  // Every statement with its duration and CPU time (getrusage) in the server log, for finding the expensive ones.
  if (options.logStatements) {
    await admin.unsafe(`alter database "${name}" set log_min_duration_statement = 0`);
    await admin.unsafe(`alter database "${name}" set log_statement_stats = on`);
  }
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    engine: 'postgres',
    name,
    url: url.toString(),
    pglite: undefined,
    drop: async () => {
      if (keep) return log(`bench: kept database ${name}`);
      const cleanup = postgres(adminUrl, { max: 1, onnotice: () => {} });
      await cleanup.unsafe(`drop database if exists "${name}" with (force)`);
      await cleanup.end();
    },
  };
}

function writeResults(result: {
  at: string;
  engine: string;
  events: boolean;
  command: string;
  ingest: IngestFigures;
  /** CPU ms per 1,000 ingested records: this process, and local Postgres backends (null if remote). */
  cpuPer1000: { nodeMs: number; postgresMs: number | null };
  /** The same once the ingest's events were consumed (null without events). */
  drainedPer1000: { nodeMs: number; postgresMs: number | null; seconds: number } | null;
  liveCustomers: number;
  segments: SegmentTiming[];
}) {
  const dir = resultsDir;
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'ingest.json'), `${JSON.stringify(result, null, 2)}\n`);
  const { ingest } = result;
  writeFileSync(
    path.join(dir, 'ingest.md'),
    [
      '# customersIngest and segment count benchmark',
      '',
      `${result.at}, ${result.engine}, Node ${process.version}, event bus ${result.events ? 'on (consumers run during the ingest)' : 'off'}. Command: \`${result.command}\``,
      '',
      `## Ingest through the gateway (HTTP, batches of ${ingest.batchSize})`,
      '',
      '| records | seconds | records/s | median batch (ms) | re-sent batch (ms) | outcomes |',
      '|---|---|---|---|---|---|',
      `| ${ingest.records} | ${ingest.seconds} | ${ingest.recordsPerSecond} | ${ingest.medianBatchMs} | ${ingest.resendBatchMs} | ${Object.entries(
        ingest.outcomes,
      )
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')} |`,
      '',
      `CPU per 1,000 records: ${result.cpuPer1000.nodeMs} ms in the bench process (gateway, subgraphs, client)${result.cpuPer1000.postgresMs === null ? '' : `, ${result.cpuPer1000.postgresMs} ms in Postgres`}.${result.drainedPer1000 ? ` With the ingest's events consumed (${result.drainedPer1000.seconds} s after the last batch): ${result.drainedPer1000.nodeMs} ms${result.drainedPer1000.postgresMs === null ? '' : `, ${result.drainedPer1000.postgresMs} ms in Postgres`}.` : ''}`,
      '',
      `## Segment count (${result.liveCustomers.toLocaleString('en-US')} live customers)`,
      '',
      '| segment | size | countSegment, median of 5 (ms) | Segment.size through the gateway, median of 5 (ms) |',
      '|---|---|---|---|',
      ...result.segments.map((s) => `| ${s.name} | ${s.size} | ${s.countMs ?? '-'} | ${s.gatewayMs} |`),
      '',
    ].join('\n'),
  );
}

async function standalone(): Promise<void> {
  const env = loadEnv();
  const { values } = parseArgs({
    options: {
      records: { type: 'string', default: '20000' },
      batch: { type: 'string', default: '1000' },
      'segment-customers': { type: 'string', default: '0' },
      'database-url': { type: 'string', default: env.DATABASE_URL ?? '' },
      /** Connections per subgraph: a shared Postgres may be short of them (max_connections). */
      pool: { type: 'string', default: '3' },
      /** Parallel DMS clients. */
      concurrency: { type: 'string', default: '3' },
      'match-lag': { type: 'string' },
      /** Without the event bus the ingest is measured alone (events wait in the outbox). */
      'no-events': { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      /** Logs every statement of the bench database with its duration (Postgres only). */
      'log-statements': { type: 'boolean', default: false },
    },
  });
  const total = Number(values.records);
  const batchSize = Number(values.batch);
  const synthetic = Number(values['segment-customers']);
  const poolMax = Number(values.pool);
  const concurrency = Number(values.concurrency);
  const matchLag = values['match-lag'] ? Number(values['match-lag']) : matchLagStored(concurrency, batchSize);
  for (const [flag, n, min, max] of [
    ['--records', total, 1, 10_000_000],
    ['--batch', batchSize, 1, 1000],
    ['--segment-customers', synthetic, 0, 100_000_000],
    ['--pool', poolMax, 1, 200],
    ['--concurrency', concurrency, 1, 64],
    ['--match-lag', matchLag, 1, 10_000_000],
  ] as const) {
    if (!Number.isInteger(n) || n < min || n > max)
      throw new Error(`${flag}: must be a whole number from ${min} to ${max}`);
  }
  const log: Log = (line) => console.log(line);
  const database = await freshDatabase(
    values['database-url'] || undefined,
    { keep: values.keep, logStatements: values['log-statements'] },
    log,
  );
  const databaseUrls = Object.fromEntries(subgraphNames.map((n) => [n, database.url]));
  const databases = await openDatabases({ databaseUrls, pglite: database.pglite, poolMax });
  const stack = await startStack(
    {
      databaseUrls,
      pglite: database.pglite,
      pii: createPiiCipher(env.PII_SECRET),
      ports: Object.fromEntries([...subgraphNames, 'gateway'].map((n) => [n, 0])),
      logLevel: 'warn',
      security: securityFromEnv(env),
      ...(values['no-events'] ? { bus: silentBus } : {}),
    },
    databases,
  );
  try {
    const url = stack.gateway.url;
    const headers = await benchAuthHeaders();
    const events = !values['no-events'];
    log(
      `bench: ${database.engine}, gateway ${url}, ${total} records in batches of ${batchSize} from ${concurrency} clients, matches ${matchLag} records back, events ${events ? 'on' : 'off'}`,
    );
    const prepared = prepareIngest({ url, headers, total, batchSize, concurrency, matchLag, log });
    const cpu = cpuMeter(database.name);
    const ingest = await prepared.run();
    const used = cpu();
    const cpuPer1000 = {
      nodeMs: Math.round((used.nodeMs * 1000) / total),
      postgresMs: used.postgresMs === null ? null : Math.round((used.postgresMs * 1000) / total),
    };
    log(
      `ingest: CPU per 1,000 records: ${cpuPer1000.nodeMs} ms in this process (gateway, subgraphs, bench client)${cpuPer1000.postgresMs === null ? '' : `, ${cpuPer1000.postgresMs} ms in Postgres`}`,
    );
    const db = databases.customer.db;
    // The ingest's events are consumed after its batches return (the feedback projection writes
    // per event): the same figure once the customer outbox is relayed and consumed.
    let drainedPer1000: { nodeMs: number; postgresMs: number | null; seconds: number } | null = null;
    if (events) {
      const drainStarted = performance.now();
      if (await outboxDrained(db, 300_000)) {
        const drained = cpu();
        drainedPer1000 = {
          nodeMs: Math.round((drained.nodeMs * 1000) / total),
          postgresMs: drained.postgresMs === null ? null : Math.round((drained.postgresMs * 1000) / total),
          seconds: Number(((performance.now() - drainStarted) / 1000).toFixed(1)),
        };
        log(
          `ingest: CPU per 1,000 records with its events consumed (${drainedPer1000.seconds} s after the last batch): ${drainedPer1000.nodeMs} ms in this process${drainedPer1000.postgresMs === null ? '' : `, ${drainedPer1000.postgresMs} ms in Postgres`}`,
        );
      } else log('ingest: the customer outbox did not drain within 5 minutes');
    }
    if (synthetic > 0) await addSyntheticCustomers(db, total + 1, total + 1 + synthetic, log);
    const [live] = await db.select({ n: count() }).from(customers).where(isNull(customers.mergedInto));
    const segments = await timeSegments({ url, headers, db, log });
    log(
      `ingest: ${total.toLocaleString('en-US')} records in ${ingest.seconds} s = ${ingest.recordsPerSecond.toLocaleString('en-US')} records/s through the gateway (${JSON.stringify(ingest.outcomes)}; re-sent batch in ${ingest.resendBatchMs} ms)`,
    );
    writeResults({
      at: new Date().toISOString(),
      engine: database.engine,
      events,
      command: `npx tsx bench/src/ingestBench.ts ${process.argv.slice(2).join(' ')}`.trim(),
      ingest,
      cpuPer1000,
      drainedPer1000,
      liveCustomers: Number(live?.n ?? 0),
      segments,
    });
    log('bench: wrote bench/results/ingest.json and ingest.md');
  } finally {
    await stack.close();
    for (const name of subgraphNames) await databases[name].close();
    await database.drop();
  }
}

// Standalone only when run as a script; run.ts imports the module for runIngestBench.
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href)
  await standalone();
