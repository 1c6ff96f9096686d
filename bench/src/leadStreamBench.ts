import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { createDatabase, createPiiCipher, loadEnv, openEmbeddedDatabase, subgraphNames } from '@cx/platform';
import { type Client, createClient } from 'graphql-ws';
import postgres from 'postgres';
import { WebSocket } from 'ws';
import { contractDir } from '../../scripts/lib/composition.ts';
import { openDatabases, securityFromEnv, startStack } from '../../scripts/lib/stack.ts';
import { benchAuthHeaders } from './auth.ts';
import type { BenchHookContext, HookFigures } from './hooks.ts';
import { type AssignedLead, createAssignedLead, type LeadInput, leadInputs } from './leadInputs.ts';
import { type SubgraphDbs, seedDemo } from './seedDemo.ts';

/**
 * Lead created -> assignment event at N graphql-ws dashboards subscribed with the contract
 * `leadAssigned` document: latency from each leadCreate response to the event at each subscriber,
 * and assignments per second.
 *
 * - As a bench hook (`runLeadStreamBench`, called by `npm run bench`): against the bench's own
 *   gateway process over the 10k dataset; the subscribers live in the bench process, so they do
 *   not share the gateway's CPU.
 * - Standalone: `npx tsx bench/src/leadStreamBench.ts [--subscribers 1000] [--leads 200]
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

async function until(done: () => boolean, what: string, deadline: number): Promise<void> {
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timeout reached while waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export interface LeadStreamOptions {
  gatewayUrl: string;
  headers: Record<string, string>;
  /** Distinct (customer, model) pairs: each creates one new assigned lead. */
  inputs: LeadInput[];
  subscribers: number;
  leads: number;
  /** Concurrent leadCreate callers. */
  concurrency: number;
  /** Epoch ms after which the run gives up. */
  deadline: number;
  log: Log;
}

export type LeadStreamReport = Awaited<ReturnType<typeof measureLeadStream>>;

/** Subscribes, warms up until one event reaches everyone, creates the leads and times each delivery. */
export async function measureLeadStream(options: LeadStreamOptions) {
  const { subscribers, leads: leadCount, concurrency, deadline, log, headers } = options;
  const wsUrl = options.gatewayUrl.replace(/^http/, 'ws');
  /** Arrival times (performance.now()) per lead id, one per subscriber. */
  const arrivals = new Map<string, number[]>();
  let delivered = 0;
  let failures = 0;
  let connected = 0;
  const clients: Client[] = [];
  try {
    for (let i = 0; i < subscribers; i += 1) {
      const client = createClient({
        url: wsUrl,
        webSocketImpl: WebSocket,
        retryAttempts: 0,
        connectionParams: headers,
        on: { connected: () => (connected += 1) },
      });
      clients.push(client);
      client.subscribe<{ leadAssigned: { lead: { id: string } } }>(
        { query },
        {
          next: (result) => {
            const id = result.data?.leadAssigned.lead.id;
            if (!id || result.errors) {
              failures += 1;
              return;
            }
            const at = performance.now();
            const list = arrivals.get(id);
            if (list) list.push(at);
            else arrivals.set(id, [at]);
            delivered += 1;
          },
          error: () => {
            failures += 1;
          },
          complete: () => {},
        },
      );
      if ((i + 1) % 250 === 0 || i + 1 === subscribers) {
        await until(() => connected === i + 1, 'connections', deadline);
        log(`subscribers: ${i + 1}/${subscribers} connected`);
      }
    }
    let nextInput = 0;
    const next = () => options.inputs[nextInput++];

    // Warm-up until one event reaches every subscriber: a live-only stream starts where the sales
    // subgraph stands when the subscription reaches it, so a lead created just before is not seen.
    for (let attempt = 1; ; attempt += 1) {
      const warmup = await createAssignedLead(options.gatewayUrl, next, headers);
      if (!warmup) throw new Error('no lead could be assigned');
      const waitUntil = Date.now() + 3_000;
      await until(
        () => (arrivals.get(warmup.id)?.length ?? 0) === subscribers || Date.now() > waitUntil,
        'the warm-up event',
        deadline,
      );
      if (arrivals.get(warmup.id)?.length === subscribers) break;
      if (attempt === 20) throw new Error('no warm-up event reached every subscriber');
    }
    arrivals.clear();
    delivered = 0;
    log(`warm-up event reached all ${subscribers} subscribers; creating ${leadCount} leads`);

    const created: AssignedLead[] = [];
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    let claimed = 0;
    const workers = Array.from({ length: concurrency }, async () => {
      while (claimed < leadCount) {
        claimed += 1;
        if (Date.now() > deadline) throw new Error('timeout reached while creating leads');
        const lead = await createAssignedLead(options.gatewayUrl, next, headers);
        if (!lead) throw new Error('ran out of (customer, model) pairs: raise --customers');
        created.push(lead);
        if (created.length % 25 === 0)
          log(
            `leads: ${created.length}/${leadCount} created, events: ${delivered}/${leadCount * subscribers} delivered`,
          );
      }
    });
    await Promise.all(workers);
    const createdAt = performance.now();
    const expected = created.length * subscribers;
    const progress = setInterval(() => log(`events: ${delivered}/${expected} delivered`), 2_000);
    try {
      await until(() => delivered >= expected, 'every event at every subscriber', deadline);
    } finally {
      clearInterval(progress);
    }
    const finished = performance.now();
    const cpu = process.cpuUsage(cpuBefore);

    const fromResponse = new Float64Array(expected);
    const fromRequest = new Float64Array(expected);
    let k = 0;
    for (const lead of created) {
      for (const at of arrivals.get(lead.id) ?? []) {
        fromResponse[k] = at - lead.answeredAt;
        fromRequest[k] = at - lead.sentAt;
        k += 1;
      }
    }
    fromResponse.sort();
    fromRequest.sort();
    const seconds = (finished - started) / 1000;
    return {
      when: new Date().toISOString(),
      // Figures from a shared machine read differently when other work was running on it.
      cpus: os.availableParallelism(),
      loadAverage1m: round(os.loadavg()[0]!, 2),
      subscribers,
      leads: created.length,
      concurrency,
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
      failures,
    };
  } finally {
    await Promise.all(clients.map((c) => c.dispose()));
  }
}

/** The hook for `npm run bench`: 1,000 subscribers (200 with --quick) on the bench's gateway. */
export async function runLeadStreamBench(context: BenchHookContext): Promise<HookFigures> {
  const customer = createDatabase({ url: context.databaseUrl, poolMax: 1 });
  const vehicle = createDatabase({ url: context.databaseUrl, poolMax: 1 });
  let inputs: LeadInput[];
  try {
    inputs = await leadInputs({ customer: customer.db, vehicle: vehicle.db });
  } finally {
    await customer.close();
    await vehicle.close();
  }
  // The 10k dataset has recent leads: start further along, where pairs are less likely to be open duplicates.
  const report = await measureLeadStream({
    gatewayUrl: context.gatewayUrl,
    headers: await context.authHeaders(),
    inputs: inputs.slice(Math.floor(inputs.length / 2)),
    subscribers: context.quick ? 200 : 1000,
    leads: context.quick ? 40 : 200,
    concurrency: 4,
    deadline: Date.now() + 600_000,
    log: context.log,
  });
  return {
    subscribers: report.subscribers,
    leads: report.leads,
    assignmentsPerSecond: report.assignmentsPerSecond,
    p50Ms: report.latencyFromResponseMs.p50,
    p99Ms: report.latencyFromResponseMs.p99,
    maxMs: report.latencyFromResponseMs.max,
    failures: report.failures,
    loadAverage1m: report.loadAverage1m,
  };
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
      leads: positive('leads', values.leads),
      concurrency: positive('concurrency', values.concurrency),
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
    writeFileSync(
      path.join(resultsDir, 'lead-stream.md'),
      [
        '# Live lead-assignment stream through the gateway',
        '',
        `${report.when}, ${report.database}, loopback, one process: five subgraphs, gateway and ${subscribers} graphql-ws clients (one socket each) subscribed with the contract \`leadAssigned\` document.`,
        `${report.leads} leads created through the gateway by ${report.concurrency} concurrent callers, ${customers} seeded customers.`,
        `Machine: ${report.cpus} CPUs, 1-minute load average ${report.loadAverage1m} at the end of the run.`,
        '',
        '| figure | value |',
        '| --- | --- |',
        `| assignments per second (created and delivered to every subscriber) | ${report.assignmentsPerSecond} |`,
        `| leadCreate per second | ${report.leadCreatePerSecond} |`,
        `| events delivered per second | ${report.eventsDeliveredPerSecond} |`,
        `| CPU of the whole process while measuring (s) | ${report.cpuSeconds} |`,
        `| latency leadCreate response → event at subscriber, p50 / p99 / max (ms) | ${report.latencyFromResponseMs.p50} / ${report.latencyFromResponseMs.p99} / ${report.latencyFromResponseMs.max} |`,
        `| latency leadCreate request → event at subscriber, p50 / p99 / max (ms) | ${report.latencyFromRequestMs.p50} / ${report.latencyFromRequestMs.p99} / ${report.latencyFromRequestMs.max} |`,
        `| per-event queries through the gateway | ${report.eventQueries} for ${report.leads} events |`,
        `| subscriptions to the sales subgraph at the end | ${report.upstreamSubscriptions} |`,
        `| failed deliveries | ${report.failures} |`,
        '',
        'A negative latency means the event reached the subscriber before the leadCreate response reached its caller.',
        '',
      ].join('\n'),
    );
    log(
      `done: ${report.assignmentsPerSecond} assignments/s, latency response→event p50 ${report.latencyFromResponseMs.p50} ms, p99 ${report.latencyFromResponseMs.p99} ms; ${report.eventQueries} event queries for ${report.leads} events × ${subscribers} subscribers`,
    );
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
