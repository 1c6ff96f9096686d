import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import {
  anyOf,
  createDatabase,
  createPiiCipher,
  type Db,
  loadEnv,
  openEmbeddedDatabase,
  subgraphNames,
} from '@cx/platform';
import { schema as salesSchema } from '@cx/sales';
import { and, eq, notInArray } from 'drizzle-orm';
import postgres from 'postgres';
import { contractDir } from '../../scripts/lib/composition.ts';
import { openDatabases, securityFromEnv, startStack } from '../../scripts/lib/stack.ts';
import { benchAuthHeaders } from './auth.ts';
import type { BenchHookContext, HookFigures } from './hooks.ts';
import {
  type AssignedLead,
  closedLeadStatuses,
  createAssignedLead,
  type LeadInput,
  leadInputs,
} from './leadInputs.ts';
import { type SubgraphDbs, seedDemo } from './seedDemo.ts';
import { SubscriberPool } from './subscriberPool.ts';

/**
 * Lead created -> assignment event at N graphql-ws dashboards subscribed with the contract
 * `leadAssigned` document: latency from each leadCreate response to the event at each subscriber,
 * and assignments per second.
 *
 * - As a bench hook (`runLeadStreamBench`, called by `npm run bench`): against the bench's own
 *   gateway process over the 10k dataset; the subscribers live in worker threads of the bench
 *   process (subscriberPool.ts), so they do not share the gateway's event loop or one another's.
 * - Standalone: `npx tsx bench/src/leadStreamBench.ts [--subscribers 1000] [--leads 200] [--rate 5]
 *   [--customers 300] [--concurrency 4] [--timeout 300]`: the whole stack in this process on
 *   loopback (embedded PGlite, or a scratch database on DATABASE_URL's server, dropped afterwards).
 */

const resultsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'results');
const query = readFileSync(path.join(contractDir, 'leadAssigned.graphql'), 'utf8');

type Log = (line: string) => void;

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

async function until(
  done: () => boolean,
  what: string,
  deadline: number,
  state: () => string = () => '',
): Promise<void> {
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timeout reached while waiting for ${what} ${state()}`.trim());
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * One way of creating the measured leads. Paced: one leadCreate every 1/rate seconds whatever the
 * answers do (open loop), the latency a dashboard sees at that arrival rate. Saturated: `concurrency`
 * callers each creating the next lead as soon as the last is answered (closed loop), the most the
 * stack sustains; its latencies include the queue that saturation builds.
 */
export type LeadStreamPhase =
  | { name: string; leads: number; ratePerSecond: number }
  | { name: string; leads: number; concurrency: number };

export interface LeadStreamOptions {
  gatewayUrl: string;
  headers: Record<string, string>;
  /** Distinct (customer, model) pairs: each creates one new assigned lead. */
  inputs: LeadInput[];
  subscribers: number;
  phases: LeadStreamPhase[];
  /** Called with every lead the run creates (warm-up and unassigned ones included), e.g. to tidy up after it. */
  onLeadCreated?: (leadId: string) => void;
  /** Worker threads the subscribers are spread over (default: 2, or 1 on a single core). */
  subscriberThreads?: number;
  /** Unmeasured leads created at 5/s before the phases (default 10). */
  warmupLeads?: number;
  /** Epoch ms after which the run gives up. */
  deadline: number;
  /** CPU ms so far of the gateway and of the subgraphs, when they run in processes of their own. */
  cpuMs?: () => Promise<{ gateway: number; subgraphs: number }>;
  log: Log;
}

export type LeadStreamReport = Awaited<ReturnType<typeof measureLeadStream>>;
export type LeadStreamPhaseReport = LeadStreamReport['phases'][number];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Subscribes, warms up until one event reaches everyone, then runs each phase and times each delivery. */
export async function measureLeadStream(options: LeadStreamOptions) {
  const { subscribers, deadline, log, headers } = options;
  const wsUrl = options.gatewayUrl.replace(/^http/, 'ws');
  const pool = new SubscriberPool(
    { wsUrl, query, headers },
    options.subscriberThreads ?? Math.min(2, os.availableParallelism()),
  );
  const { arrivals } = pool;
  try {
    for (let opened = 0; opened < subscribers; ) {
      const step = Math.min(250, subscribers - opened);
      pool.add(step);
      opened += step;
      await until(
        () => pool.healthy() && pool.connected === opened,
        'connections',
        // Each batch of 250 connects in seconds: a minute means something refuses them.
        Math.min(deadline, Date.now() + 60_000),
        () => `${pool.connected}/${opened} acknowledged; closes: ${pool.closeSummary()}`,
      );
      log(`subscribers: ${opened}/${subscribers} connected`);
    }
    let nextInput = 0;
    const next = () => options.inputs[nextInput++];
    const create = async () => {
      if (Date.now() > deadline) throw new Error('timeout reached while creating leads');
      const lead = await createAssignedLead(options.gatewayUrl, next, headers, options.onLeadCreated);
      if (!lead) throw new Error('ran out of (customer, model) pairs: raise --customers');
      return lead;
    };

    // Warm-up until one event reaches every subscriber: a live-only stream starts where the sales
    // subgraph stands when the subscription reaches it, so a lead created just before is not seen.
    for (let attempt = 1; ; attempt += 1) {
      const warmup = await create();
      const waitUntil = Date.now() + 3_000;
      await until(
        () => (arrivals.get(warmup.id)?.length ?? 0) === subscribers || Date.now() > waitUntil,
        'the warm-up event',
        deadline,
      );
      if (arrivals.get(warmup.id)?.length === subscribers) break;
      if (attempt === 20) throw new Error('no warm-up event reached every subscriber');
    }
    log(`warm-up event reached all ${subscribers} subscribers`);

    // Then an unmeasured paced run, as every other bench window has a warm-up: the first events
    // through a fresh stack pay for JIT compilation and cold caches along the whole path.
    const warmup: LeadStreamPhase = { name: 'warm-up', leads: options.warmupLeads ?? 10, ratePerSecond: 5 };
    const phases = [];
    for (const phase of [warmup, ...options.phases]) {
      arrivals.clear();
      pool.delivered = 0;
      const failuresBefore = pool.failures;
      const paced = 'ratePerSecond' in phase;
      log(
        `${phase.name}: creating ${phase.leads} leads ${paced ? `at ${phase.ratePerSecond}/s` : `from ${phase.concurrency} callers, each as soon as its last was answered`}`,
      );
      const created: AssignedLead[] = [];
      const stackBefore = await options.cpuMs?.();
      const cpuBefore = process.cpuUsage();
      const started = performance.now();
      const progress = () => {
        if (created.length % 25 === 0)
          log(
            `${phase.name}: leads: ${created.length}/${phase.leads} created, events: ${pool.delivered}/${phase.leads * subscribers} delivered`,
          );
      };
      if (paced) {
        const pending: Promise<void>[] = [];
        for (let i = 0; i < phase.leads; i += 1) {
          await sleep(started + (i * 1000) / phase.ratePerSecond - performance.now());
          pending.push(
            create().then((lead) => {
              created.push(lead);
              progress();
            }),
          );
        }
        await Promise.all(pending);
      } else {
        let claimed = 0;
        const workers = Array.from({ length: phase.concurrency }, async () => {
          while (claimed < phase.leads) {
            claimed += 1;
            created.push(await create());
            progress();
          }
        });
        await Promise.all(workers);
      }
      const createdAt = performance.now();
      const expected = created.length * subscribers;
      const timer = setInterval(
        () => log(`${phase.name}: events: ${pool.delivered}/${expected} delivered`),
        2_000,
      );
      try {
        await until(
          () => pool.healthy() && pool.delivered >= expected,
          'every event at every subscriber',
          deadline,
        );
      } finally {
        clearInterval(timer);
      }
      const finished = performance.now();
      const cpu = process.cpuUsage(cpuBefore);
      const stackAfter = await options.cpuMs?.();

      const fromResponse = new Float64Array(expected);
      const fromRequest = new Float64Array(expected);
      let k = 0;
      // Arrivals are epoch-clock times from the subscriber threads; the leads' times are this thread's performance.now().
      const origin = performance.timeOrigin;
      for (const lead of created) {
        for (const at of arrivals.get(lead.id) ?? []) {
          fromResponse[k] = at - (origin + lead.answeredAt);
          fromRequest[k] = at - (origin + lead.sentAt);
          k += 1;
        }
      }
      fromResponse.sort();
      fromRequest.sort();
      const seconds = (finished - started) / 1000;
      const perEvent = (ms: number) => round(ms / created.length, 2);
      const report = {
        name: phase.name,
        leads: created.length,
        ratePerSecond: paced ? phase.ratePerSecond : null,
        concurrency: paced ? null : phase.concurrency,
        seconds: round(seconds, 2),
        assignmentsPerSecond: round(created.length / seconds),
        leadCreatePerSecond: round(created.length / ((createdAt - started) / 1000)),
        eventsDeliveredPerSecond: Math.round(expected / seconds),
        latencyFromResponseMs: {
          p50: round(percentile(fromResponse, 50)),
          p99: round(percentile(fromResponse, 99)),
          max: round(percentile(fromResponse, 100)),
        },
        latencyFromRequestMs: {
          p50: round(percentile(fromRequest, 50)),
          p99: round(percentile(fromRequest, 99)),
          max: round(percentile(fromRequest, 100)),
        },
        /** CPU of this process while measuring (the clients; in standalone mode also the whole stack). */
        cpuSeconds: round((cpu.user + cpu.system) / 1e6, 2),
        /** CPU ms per lead in this process (subscribers and lead creators; standalone: everything). */
        benchCpuMsPerLead: perEvent((cpu.user + cpu.system) / 1000),
        gatewayCpuMsPerLead:
          stackBefore && stackAfter ? perEvent(stackAfter.gateway - stackBefore.gateway) : null,
        subgraphsCpuMsPerLead:
          stackBefore && stackAfter ? perEvent(stackAfter.subgraphs - stackBefore.subgraphs) : null,
        failures: pool.failures - failuresBefore,
        loadAverage1m: round(os.loadavg()[0]!, 2),
      };
      log(
        `${phase.name}: ${report.assignmentsPerSecond} assignments/s, latency p50 ${report.latencyFromResponseMs.p50} ms, p99 ${report.latencyFromResponseMs.p99} ms; CPU per lead: gateway ${report.gatewayCpuMsPerLead ?? '-'} ms, subgraphs ${report.subgraphsCpuMsPerLead ?? '-'} ms, bench ${report.benchCpuMsPerLead} ms`,
      );
      if (phase !== warmup) phases.push(report);
    }
    return {
      when: new Date().toISOString(),
      // Figures from a shared machine read differently when other work was running on it.
      cpus: os.availableParallelism(),
      subscribers,
      subscriberThreads: pool.threadCount,
      phases,
    };
  } finally {
    await pool.dispose();
  }
}

/**
 * The paced rate: about 8 million leads a year nationally (a million cars at roughly one sale per
 * eight leads) average 0.25 a second; 5 a second is twenty times that, beyond a launch-day peak.
 */
export const pacedLeadsPerSecond = 5;

/** The hook for `npm run bench`: 1,000 subscribers (200 with --quick) on the bench's gateway. */
export async function runLeadStreamBench(context: BenchHookContext): Promise<HookFigures> {
  // The bench's subgraphs share one database, so one connection reads and tidies all three schemas.
  const database = createDatabase({ url: context.databaseUrl, poolMax: 1 });
  const leadIds: string[] = [];
  let report: LeadStreamReport;
  try {
    const { db } = database;
    const inputs = await leadInputs({ customer: db, vehicle: db, sales: db });
    report = await measureLeadStream({
      gatewayUrl: context.gatewayUrl,
      headers: await context.authHeaders(),
      inputs,
      subscribers: context.quick ? 200 : 1000,
      phases: benchPhases(context.quick),
      deadline: Date.now() + 600_000,
      cpuMs: context.cpuMs,
      onLeadCreated: (id) => leadIds.push(id),
      log: context.log,
    });
  } finally {
    try {
      await closeBenchLeads(database.db, leadIds);
    } finally {
      await database.close();
    }
  }
  const [paced, saturated] = report.phases;
  return {
    subscribers: report.subscribers,
    subscriberThreads: report.subscriberThreads,
    // The target is read at the paced rate; the saturated phase shows the ceiling and its queueing.
    pacedLeadsPerSecond: paced!.ratePerSecond,
    leads: paced!.leads,
    p50Ms: paced!.latencyFromResponseMs.p50,
    p99Ms: paced!.latencyFromResponseMs.p99,
    maxMs: paced!.latencyFromResponseMs.max,
    gatewayCpuMsPerLead: paced!.gatewayCpuMsPerLead,
    subgraphsCpuMsPerLead: paced!.subgraphsCpuMsPerLead,
    benchCpuMsPerLead: paced!.benchCpuMsPerLead,
    saturatedCallers: saturated!.concurrency,
    saturatedAssignmentsPerSecond: saturated!.assignmentsPerSecond,
    saturatedP50Ms: saturated!.latencyFromResponseMs.p50,
    saturatedP99Ms: saturated!.latencyFromResponseMs.p99,
    saturatedGatewayCpuMsPerLead: saturated!.gatewayCpuMsPerLead,
    failures: paced!.failures + saturated!.failures,
    loadAverage1m: saturated!.loadAverage1m,
  };
}

/**
 * The bench's leads are never worked on. Left open, they would fill the consultants' capacity (open
 * leads) run after run until new leads stay unassigned, and their first-contact SLA would fire in
 * later runs as escalations and reassignments, each one more event to fan out to every subscriber:
 * the small dataset is reused, and a later run would measure the sweep of earlier runs' leads
 * instead of its own. So they are closed as lost, and their pending SLA timers cancelled.
 */
export async function closeBenchLeads(db: Db, leadIds: readonly string[]): Promise<void> {
  if (leadIds.length === 0) return;
  const { leads, slaTimers } = salesSchema;
  await db.transaction(async (tx) => {
    await tx
      .update(leads)
      .set({ status: 'LOST', lostReason: 'closed by the benchmark that created it', updatedAt: new Date() })
      .where(and(anyOf(leads.id, leadIds), notInArray(leads.status, [...closedLeadStatuses])));
    await tx
      .update(slaTimers)
      .set({ state: 'CANCELLED' })
      .where(and(eq(slaTimers.state, 'PENDING'), anyOf(slaTimers.leadId, leadIds)));
  });
}

/** Paced at the peak rate first (the target's figure), then saturated by 4 closed-loop callers. */
function benchPhases(quick: boolean): LeadStreamPhase[] {
  return [
    { name: 'paced', leads: quick ? 25 : 150, ratePerSecond: pacedLeadsPerSecond },
    { name: 'saturated', leads: quick ? 40 : 200, concurrency: 4 },
  ];
}

/** A database of its own: never the configured one's tables. */
async function scratchDatabase(
  databaseUrl: string | undefined,
): Promise<{ url?: string; drop(): Promise<void> }> {
  if (!databaseUrl) return { drop: async () => {} };
  const name = `cx_bench_lead_stream_${randomBytes(4).toString('hex')}`;
  const admin = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.end();
    },
  };
}

function positive(name: string, raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name}: must be a positive whole number`);
  return n;
}

async function standalone(): Promise<void> {
  const env = loadEnv();
  const { values } = parseArgs({
    options: {
      subscribers: { type: 'string', default: '1000' },
      leads: { type: 'string', default: '200' },
      customers: { type: 'string', default: '300' },
      concurrency: { type: 'string', default: '4' },
      rate: { type: 'string', default: String(pacedLeadsPerSecond) },
      timeout: { type: 'string', default: '300' },
    },
  });
  const subscribers = positive('subscribers', values.subscribers);
  const customers = positive('customers', values.customers);
  const log: Log = (line) => console.log(`lead-stream-bench: ${line}`);
  const scratch = await scratchDatabase(env.DATABASE_URL);
  const pglite = scratch.url ? undefined : await openEmbeddedDatabase('memory');
  const databaseUrls = Object.fromEntries(subgraphNames.map((n) => [n, scratch.url]));
  const databases = await openDatabases({ databaseUrls, pglite, poolMax: env.DB_POOL_MAX });
  const dbs = Object.fromEntries(subgraphNames.map((n) => [n, databases[n].db])) as SubgraphDbs;
  const pii = createPiiCipher(env.PII_SECRET);
  log(`database: ${scratch.url ? 'postgres (scratch database)' : 'embedded PGlite (memory)'}`);
  await seedDemo(dbs, pii, { customers, seed: 42, now: new Date() }, (line) => log(line));
  const stack = await startStack(
    {
      databaseUrls,
      pglite,
      pii,
      logLevel: 'error',
      ports: {},
      // Every dashboard connects with one token: the per-caller rate limit (600/min by default) would
      // refuse the later ones, as in the forked bench servers (servers.ts) it is lifted.
      security: { ...securityFromEnv(env), rateLimitPerMinute: undefined },
    },
    databases,
  );
  const stats = stack.gateway.leadStream;
  if (!stats) throw new Error('the gateway serves no leadAssigned stream');
  try {
    const queriesBefore = stats.eventQueries;
    const measured = await measureLeadStream({
      gatewayUrl: stack.gateway.url,
      headers: await benchAuthHeaders(),
      inputs: await leadInputs(dbs),
      subscribers,
      phases: [
        {
          name: 'paced',
          leads: positive('leads', values.leads),
          ratePerSecond: positive('rate', values.rate),
        },
        {
          name: 'saturated',
          leads: positive('leads', values.leads),
          concurrency: positive('concurrency', values.concurrency),
        },
      ],
      deadline: Date.now() + positive('timeout', values.timeout) * 1000,
      log,
    });
    const report = {
      ...measured,
      database: scratch.url ? 'postgres' : 'pglite',
      customers,
      eventQueries: stats.eventQueries - queriesBefore,
      eventQueryCacheHits: stats.eventQueryCacheHits,
      upstreamSubscriptions: stats.upstreamSubscriptions,
    };
    mkdirSync(resultsDir, { recursive: true });
    writeFileSync(path.join(resultsDir, 'lead-stream.json'), `${JSON.stringify(report, null, 2)}\n`);
    const phaseRows = (ph: LeadStreamPhaseReport) => [
      `| ${ph.name}: leads created | ${ph.leads} ${ph.ratePerSecond ? `at ${ph.ratePerSecond}/s (open loop)` : `by ${ph.concurrency} closed-loop callers`} |`,
      `| ${ph.name}: assignments per second (created and delivered to every subscriber) | ${ph.assignmentsPerSecond} |`,
      `| ${ph.name}: events delivered per second | ${ph.eventsDeliveredPerSecond} |`,
      `| ${ph.name}: CPU of the whole process per lead (ms) | ${ph.benchCpuMsPerLead} |`,
      `| ${ph.name}: latency leadCreate response → event at subscriber, p50 / p99 / max (ms) | ${ph.latencyFromResponseMs.p50} / ${ph.latencyFromResponseMs.p99} / ${ph.latencyFromResponseMs.max} |`,
      `| ${ph.name}: latency leadCreate request → event at subscriber, p50 / p99 / max (ms) | ${ph.latencyFromRequestMs.p50} / ${ph.latencyFromRequestMs.p99} / ${ph.latencyFromRequestMs.max} |`,
      `| ${ph.name}: failed deliveries | ${ph.failures} |`,
      `| ${ph.name}: 1-minute load average at its end | ${ph.loadAverage1m} |`,
    ];
    writeFileSync(
      path.join(resultsDir, 'lead-stream.md'),
      [
        '# Live lead-assignment stream through the gateway',
        '',
        `${report.when}, ${report.database}, loopback, one process: five subgraphs, gateway and ${subscribers} graphql-ws clients (one socket each, over ${report.subscriberThreads} worker threads) subscribed with the contract \`leadAssigned\` document, ${customers} seeded customers, ${report.cpus} CPUs.`,
        '',
        '| figure | value |',
        '| --- | --- |',
        ...report.phases.flatMap(phaseRows),
        `| per-event queries through the gateway | ${report.eventQueries} for ${report.phases.reduce((n, ph) => n + ph.leads, 0)} events |`,
        `| subscriptions to the sales subgraph at the end | ${report.upstreamSubscriptions} |`,
        '',
        'A negative latency means the event reached the subscriber before the leadCreate response reached its caller.',
        '',
      ].join('\n'),
    );
    log(`done: ${report.eventQueries} event queries for the events of ${subscribers} subscribers`);
    log(`wrote ${path.relative(process.cwd(), path.join(resultsDir, 'lead-stream.{json,md}'))}`);
  } finally {
    await stack.close();
    for (const name of subgraphNames) await databases[name].close();
    await pglite?.close();
    await scratch.drop();
  }
}

// Standalone only when run as a script; run.ts imports the module for runLeadStreamBench.
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href)
  await standalone();
