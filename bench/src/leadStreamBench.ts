import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createPiiCipher, loadEnv, openEmbeddedDatabase, subgraphNames } from '@cx/platform';
import { type Client, createClient } from 'graphql-ws';
import postgres from 'postgres';
import { WebSocket } from 'ws';
import { contractDir } from '../../scripts/lib/composition.ts';
import { openDatabases, securityFromEnv, startStack } from '../../scripts/lib/stack.ts';
import { benchAuthHeaders } from './auth.ts';
import { type AssignedLead, createAssignedLead, leadInputs } from './leadInputs.ts';
import { type SubgraphDbs, seedDemo } from './seedDemo.ts';

/**
 * `npx tsx bench/src/leadStreamBench.ts [--subscribers 1000] [--leads 200] [--customers 300]
 * [--concurrency 4] [--timeout 300]`: the whole stack on loopback (embedded PGlite, or a scratch
 * database on DATABASE_URL's server, dropped afterwards), N graphql-ws dashboards subscribed to
 * the contract `leadAssigned` document, M leads created through the gateway. Reports the latency
 * from each leadCreate response to the event at each subscriber, and assignments per second.
 */
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

function positive(name: string, raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name}: must be a positive whole number`);
  return n;
}

const subscribers = positive('subscribers', values.subscribers);
const leadCount = positive('leads', values.leads);
const customers = positive('customers', values.customers);
const concurrency = positive('concurrency', values.concurrency);
const deadline = Date.now() + positive('timeout', values.timeout) * 1000;
const resultsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'results');
const query = readFileSync(path.join(contractDir, 'leadAssigned.graphql'), 'utf8');

const log = (line: string) => console.log(`lead-stream-bench: ${line}`);

function checkDeadline(): void {
  if (Date.now() > deadline) throw new Error('--timeout reached');
}

async function until(done: () => boolean, what: string): Promise<void> {
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`--timeout reached while waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

/** A database of its own: never the configured one's tables. */
async function scratchDatabase(): Promise<{ url?: string; drop(): Promise<void> }> {
  if (!env.DATABASE_URL) return { drop: async () => {} };
  const name = `cx_bench_lead_stream_${randomBytes(4).toString('hex')}`;
  const admin = postgres(env.DATABASE_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  const url = new URL(env.DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.end();
    },
  };
}

const scratch = await scratchDatabase();
const pglite = scratch.url ? undefined : await openEmbeddedDatabase('memory');
const databaseUrls = Object.fromEntries(subgraphNames.map((n) => [n, scratch.url]));
const databases = await openDatabases({ databaseUrls, pglite, poolMax: env.DB_POOL_MAX });
const dbs = Object.fromEntries(subgraphNames.map((n) => [n, databases[n].db])) as SubgraphDbs;
const pii = createPiiCipher(env.PII_SECRET);
log(`database: ${scratch.url ? 'postgres (scratch database)' : 'embedded PGlite (memory)'}`);
await seedDemo(dbs, pii, { customers, seed: 42, now: new Date() }, (line) => log(line));
const stack = await startStack(
  { databaseUrls, pglite, pii, logLevel: 'error', ports: {}, security: securityFromEnv(env) },
  databases,
);
const stats = stack.gateway.leadStream;
if (!stats) throw new Error('the gateway serves no leadAssigned stream');
const wsUrl = stack.gateway.url.replace(/^http/, 'ws');
const authHeaders = await benchAuthHeaders();

/** Arrival times (performance.now()) per lead id, one per subscriber. */
const arrivals = new Map<string, number[]>();
let delivered = 0;
let failures = 0;
const clients: Client[] = [];
try {
  for (let i = 0; i < subscribers; i += 1) {
    const client = createClient({
      url: wsUrl,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      connectionParams: authHeaders,
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
      await until(() => stats.subscribers === i + 1, 'subscriptions');
      log(`subscribers: ${i + 1}/${subscribers} subscribed`);
    }
  }
  const inputs = await leadInputs(dbs);
  let nextInput = 0;
  const next = () => inputs[nextInput++];

  // Warm-up until one event reaches every subscriber: a live-only stream starts where the sales
  // subgraph stands when the shared subscription reaches it, so a lead created just before is not seen.
  for (let attempt = 1; ; attempt += 1) {
    const warmup = await createAssignedLead(stack.gateway.url, next, authHeaders);
    if (!warmup) throw new Error('no lead could be assigned');
    const waitUntil = Date.now() + 2_000;
    await until(
      () => (arrivals.get(warmup.id)?.length ?? 0) === subscribers || Date.now() > waitUntil,
      'the warm-up event',
    );
    if (arrivals.get(warmup.id)?.length === subscribers) break;
    if (attempt === 10) throw new Error('no warm-up event reached every subscriber');
  }
  arrivals.clear();
  delivered = 0;
  const queriesBefore = stats.eventQueries;
  log(`warm-up event reached all ${subscribers} subscribers; creating ${leadCount} leads`);

  const created: AssignedLead[] = [];
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  let claimed = 0;
  const workers = Array.from({ length: concurrency }, async () => {
    while (claimed < leadCount) {
      claimed += 1;
      checkDeadline();
      const lead = await createAssignedLead(stack.gateway.url, next, authHeaders);
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
    await until(() => delivered >= expected, 'every event at every subscriber');
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
  const report = {
    when: new Date().toISOString(),
    database: scratch.url ? 'postgres' : 'pglite',
    // Figures from a shared machine read differently when other work was running on it.
    cpus: os.availableParallelism(),
    loadAverage1m: round(os.loadavg()[0]!, 2),
    subscribers,
    leads: created.length,
    customers,
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
    /** CPU of this one process (subgraphs, gateway, clients, and PGlite when embedded) while measuring. */
    cpuSeconds: round((cpu.user + cpu.system) / 1e6, 2),
    cpuMicrosPerDelivery: Math.round((cpu.user + cpu.system) / expected),
    eventQueries: stats.eventQueries - queriesBefore,
    eventQueryCacheHits: stats.eventQueryCacheHits,
    upstreamSubscriptions: stats.upstreamSubscriptions,
    failures,
  };
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(path.join(resultsDir, 'lead-stream.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(
    path.join(resultsDir, 'lead-stream.md'),
    [
      '# Live lead-assignment stream through the gateway',
      '',
      `${report.when}, ${report.database}, loopback, one process: five subgraphs, gateway and ${subscribers} graphql-ws clients (one socket each) subscribed with the contract \`leadAssigned\` document.`,
      `${report.leads} leads created through the gateway by ${concurrency} concurrent callers, ${customers} seeded customers.`,
      `Machine: ${report.cpus} CPUs, 1-minute load average ${report.loadAverage1m} at the end of the run.`,
      '',
      '| figure | value |',
      '| --- | --- |',
      `| assignments per second (created and delivered to every subscriber) | ${report.assignmentsPerSecond} |`,
      `| leadCreate per second | ${report.leadCreatePerSecond} |`,
      `| events delivered per second | ${report.eventsDeliveredPerSecond} |`,
      `| CPU of the whole process while measuring (s), per delivered event (µs) | ${report.cpuSeconds}, ${report.cpuMicrosPerDelivery} |`,
      `| latency leadCreate response → event at subscriber, p50 / p99 / max (ms) | ${report.latencyFromResponseMs.p50} / ${report.latencyFromResponseMs.p99} / ${report.latencyFromResponseMs.max} |`,
      `| latency leadCreate request → event at subscriber, p50 / p99 / max (ms) | ${report.latencyFromRequestMs.p50} / ${report.latencyFromRequestMs.p99} / ${report.latencyFromRequestMs.max} |`,
      `| per-event queries through the gateway | ${report.eventQueries} for ${report.leads} events |`,
      `| subscriptions to the sales subgraph at the end | ${report.upstreamSubscriptions} |`,
      `| failed deliveries | ${failures} |`,
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
  await Promise.all(clients.map((c) => c.dispose()));
  await stack.close();
  for (const name of subgraphNames) await databases[name].close();
  await pglite?.close();
  await scratch.drop();
}
