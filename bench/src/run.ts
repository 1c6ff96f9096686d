import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadEnv } from '@cx/platform/env';
import postgres from 'postgres';
import {
  connectionBudget,
  databaseExists,
  databaseUrl,
  inspectDataset,
  prepareDataset,
  sampleCustomerIds,
} from './benchDatabase.ts';
import type { ServerProcess } from './children.ts';
import { type HookOutcome, hookSpecs, runHook } from './hooks.ts';
import { machineInfo, settleMachine } from './machine.ts';
import { resultsDir } from './paths.ts';
import { summarizeProfile } from './profile.ts';
import { evaluateTargets, renderMarkdown, writeResults } from './report.ts';
import type { BenchResults, GatewayRun, GrowthPoint } from './results.ts';
import {
  addTotals,
  bodiesFor,
  fetch360s,
  type MeasureSettings,
  measureFloor,
  measureGateway,
  measureWindow,
  seqScanCounters,
  seqScanDeltas,
  summarizeTotals,
  type WindowTotals,
  warmCustomers,
} from './scenarios.ts';
import {
  type GatewayKind,
  type GatewayProcess,
  gatewayKinds,
  gatewayLabels,
  type SubgraphFleet,
  startGatewayProcess,
  startSubgraphs,
} from './servers.ts';

/**
 * `npm run bench -- [--quick] [--customers N] [--duration S] [--concurrency C] [--growth-url URL]
 * [--skip-growth] [--growth-only] [--hooks leadStream,ingest] [--server-url URL] [--profile] [--prototype]`: the performance suite of issue 9, loopback only, bounded in
 * time. Prints Markdown and writes bench/results/<timestamp>.{md,json} and latest.{md,json}.
 */
const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    customers: { type: 'string' },
    duration: { type: 'string' },
    warmup: { type: 'string' },
    concurrency: { type: 'string' },
    seed: { type: 'string', default: '42' },
    'growth-url': { type: 'string' },
    'server-url': { type: 'string' },
    profile: { type: 'boolean', default: false },
    prototype: { type: 'boolean', default: false },
    'skip-growth': { type: 'boolean', default: false },
    'growth-only': { type: 'boolean', default: false },
    hooks: { type: 'string' },
  },
});

function positive(name: string, raw: string | undefined, fallback: number): number {
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name}: must be a positive number`);
  return value;
}

const quick = values.quick ?? false;
/** Section 3 only: our gateway at both sizes and the segment counts; no other gateway, floor or hook. */
const growthOnly = values['growth-only'] ?? false;
/** Only these hooks, against our gateway alone: no 360 windows, floor or growth point. */
const onlyHooks = values.hooks?.split(',').map((k) => k.trim());
const unknownHook = onlyHooks?.find((k) => !hookSpecs.some((spec) => spec.key === k));
if (unknownHook) {
  console.error(`bench: --hooks: no hook named ${unknownHook} (${hookSpecs.map((s) => s.key).join(', ')})`);
  process.exit(2);
}
const customers = Math.round(positive('customers', values.customers, quick ? 500 : 10_000));
const durationSeconds = positive('duration', values.duration, quick ? 2 : 10);
const warmupSeconds = positive('warmup', values.warmup, quick ? 1 : 3);
const concurrency = Math.round(positive('concurrency', values.concurrency, quick ? 8 : 32));
const seed = Math.round(positive('seed', values.seed, 42));
const env = loadEnv();
const serverUrl = values['server-url'] ?? env.DATABASE_URL ?? env.TEST_DATABASE_URL;
if (!serverUrl) {
  console.error('bench: needs Postgres: pass --server-url or set DATABASE_URL (or TEST_DATABASE_URL)');
  process.exit(2);
}

const started = performance.now();
const startedAt = new Date().toISOString();
const log = (line: string) =>
  console.log(`[bench ${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s] ${line}`);
const settings: MeasureSettings = { concurrency, warmupSeconds, durationSeconds };
const fmt = (n: number | undefined, d = 1) => (n === undefined ? '-' : n.toFixed(d));

const results: BenchResults = {
  version: 1,
  startedAt,
  seconds: 0,
  options: {
    customers,
    durationSeconds,
    warmupSeconds,
    concurrency,
    quick,
    seed,
    sampleIds: 0,
    poolMax: 0,
    profile: values.profile ?? false,
  },
  machine: { ...machineInfo(), loadAverageEnd: [] },
  dataset: { database: '', customers },
  customer360: { gateways: [], identicalChecked: 0 },
  growth: {},
  hooks: {},
  profiles: {},
  targets: [],
};

/** The server's version and buffer pool, which decides whether the 1M point reads from memory it owns. */
async function postgresServer(url: string): Promise<{ version: string; sharedBuffersMb: number }> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql<{ v: string; buffers: number }[]>`
      select split_part(version(), ' ', 1) || ' ' || split_part(version(), ' ', 2) as v,
        pg_size_bytes(current_setting('shared_buffers')) / 1048576 as buffers`;
    return { version: row?.v ?? 'Postgres', sharedBuffersMb: Number(row?.buffers ?? 0) };
  } finally {
    await sql.end();
  }
}

/** Starts one gateway and checks its 360 answers against the first gateway's; null if it failed. */
async function startChecked(
  kind: GatewayKind,
  fleet: SubgraphFleet,
  ids: string[],
  reference: { data?: unknown[] },
): Promise<{ run: GatewayRun; gateway?: GatewayProcess }> {
  const run: GatewayRun = { kind, label: gatewayLabels[kind] };
  const t0 = performance.now();
  let gateway: GatewayProcess | undefined;
  try {
    log(`${run.label}: starting`);
    gateway = await startGatewayProcess(kind, fleet.urls);
    run.startSeconds = (performance.now() - t0) / 1000;
    const check = await fetch360s(gateway.url, ids.slice(0, 5));
    results.customer360.identicalChecked = check.length;
    if (!reference.data) reference.data = check;
    else if (JSON.stringify(check) !== JSON.stringify(reference.data)) results.customer360.identical = false;
    results.customer360.identical ??= true;
    log(`${run.label}: up in ${run.startSeconds.toFixed(1)} s, 360 answers checked`);
  } catch (error) {
    run.error = (error as Error).message;
    log(`${run.label}: FAILED: ${run.error.split('\n')[0]}`);
    await gateway?.stop();
    gateway = undefined;
  }
  return { run, gateway };
}

/**
 * Every gateway is measured in `rounds` interleaved windows (A B C A B C ...), so drift in the
 * machine's background load spreads over all of them instead of favouring whichever ran first.
 */
async function compareGateways(
  running: { run: GatewayRun; gateway: GatewayProcess }[],
  fleet: SubgraphFleet,
  bodies: string[],
): Promise<void> {
  if (running.length === 0) return;
  const rounds = quick ? 1 : 2;
  log(`warming the subgraphs through ${running[0]!.run.label} (${2 * warmupSeconds} s)`);
  await measureWindow(running[0]!.gateway, fleet, bodies, {
    concurrency,
    warmupSeconds,
    durationSeconds: warmupSeconds,
  });
  const totals = new Map<GatewayKind, WindowTotals>();
  for (let round = 1; round <= rounds; round += 1) {
    for (const { run, gateway } of running) {
      const window = {
        concurrency,
        warmupSeconds: round === 1 ? warmupSeconds : Math.min(warmupSeconds, 2),
        durationSeconds: durationSeconds / rounds,
      };
      log(
        `${run.label}: round ${round}/${rounds}, ${window.warmupSeconds} s warm-up + ${window.durationSeconds} s at concurrency ${concurrency}`,
      );
      const t = await measureWindow(gateway, fleet, bodies, window);
      totals.set(run.kind, addTotals(totals.get(run.kind), t));
    }
  }
  for (const { run } of running) {
    const { load, cpu } = summarizeTotals(totals.get(run.kind)!);
    run.load = load;
    run.cpu = cpu;
    log(
      `${run.label}: ${fmt(load.throughput, 0)} req/s, p50 ${fmt(load.p50Ms)} ms, p99 ${fmt(load.p99Ms)} ms, ${load.errors} errors, gateway CPU ${fmt(cpu.gatewayMsPerRequest, 2)} ms/req`,
    );
    if (load.errors > 0) log(`${run.label}: first error: ${load.firstError}`);
  }
}

async function unloaded(gateway: GatewayProcess, fleet: SubgraphFleet, ids: string[]) {
  const single = {
    concurrency: 1,
    warmupSeconds: Math.min(warmupSeconds, 2),
    durationSeconds: Math.min(durationSeconds, 5),
  };
  const { load } = await measureGateway(gateway, fleet, bodiesFor(ids), single);
  log(`one client: p50 ${fmt(load.p50Ms)} ms, p99 ${fmt(load.p99Ms)} ms`);
  return load;
}

/** CPU profiles of one gateway and the five subgraphs over one measured window (idle excluded). */
async function profileUnderLoad(kind: GatewayKind, fleet: SubgraphFleet, ids: string[]): Promise<void> {
  const dir = path.join(resultsDir, 'profiles', `${startedAt.replace(/[:.]/g, '-')}-${kind}`);
  mkdirSync(dir, { recursive: true });
  log(`${gatewayLabels[kind]}: profiling gateway and subgraphs over one measured window`);
  const gateway = await startGatewayProcess(kind, fleet.urls);
  const targets = [gateway, ...fleet.processes];
  const fileOf = (name: string) => path.join(dir, `${name.replace(/[^a-z0-9]+/gi, '-')}.cpuprofile`);
  try {
    const { load } = await measureGateway(gateway, fleet, bodiesFor(ids), settings, async (edge) => {
      if (edge === 'start') await Promise.all(targets.map((t) => t.profileStart()));
      else await Promise.all(targets.map((t) => t.profileStop(fileOf(t.name))));
    });
    results.profiles[kind] = { ...summarizeProfile(fileOf(gateway.name)), throughput: load.throughput };
    if (!results.profiles.subgraphs)
      results.profiles.subgraphs = summarizeProfile(fleet.processes.map((p) => fileOf(p.name)));
  } finally {
    await gateway.stop();
  }
  const top = results.profiles[kind]!.areas.slice(0, 6).map(
    (a) => `${a.name} ${(a.share * 100).toFixed(0)}%`,
  );
  log(`${gatewayLabels[kind]}: profile in ${path.relative(process.cwd(), dir)}: ${top.join(', ')}`);
}

/**
 * With `--hooks ... --profile`: CPU profiles of our gateway and the subgraphs while one hook runs
 * (its whole duration, set-up included). Returns what stops them and prints the gateway's top areas.
 */
async function profileHook(key: string, targets: ServerProcess[]): Promise<() => Promise<void>> {
  const dir = path.join(resultsDir, 'profiles', `${startedAt.replace(/[:.]/g, '-')}-${key}`);
  mkdirSync(dir, { recursive: true });
  const fileOf = (name: string) => path.join(dir, `${name.replace(/[^a-z0-9]+/gi, '-')}.cpuprofile`);
  await Promise.all(targets.map((t) => t.profileStart()));
  return async () => {
    await Promise.all(targets.map((t) => t.profileStop(fileOf(t.name))));
    for (const t of targets) {
      const top = summarizeProfile(fileOf(t.name)).areas.slice(0, 6);
      log(
        `${key} profile ${t.name}: ${top.map((a) => `${a.name} ${(a.share * 100).toFixed(0)}%`).join(', ')}`,
      );
    }
    log(`${key}: profiles in ${path.relative(process.cwd(), dir)}`);
  };
}

/** A point of the growth section: the dataset it measures and what serves it. */
interface GrowthSide {
  point: GrowthPoint;
  gateway: GatewayProcess;
  fleet: SubgraphFleet;
  bodies: string[];
  loaded?: WindowTotals;
  single?: WindowTotals;
}

/**
 * Section 3: the small and the large dataset measured in alternating windows (small, large, large,
 * small), so that drift in the host's speed over the run falls on both points alike instead of on
 * whichever was measured later. Each point gets a fresh gateway and five fresh subgraphs, warmed
 * alike: a process that served the 360 windows for a minute runs warmer (JIT) than a new one.
 * Runs before the hooks: the segment counts scan whole 1M tables and would otherwise leave the
 * buffer pool full of their pages.
 */
async function measureGrowth(
  small: { url: string; ids: string[] },
  url: string,
  poolMax: number,
): Promise<{ small: GrowthPoint; large: GrowthPoint }> {
  const database = new URL(url).pathname.slice(1);
  const large: GrowthPoint = { customers: 0, database };
  const smallPoint: GrowthPoint = {
    customers,
    database: results.dataset.database,
  };
  /** What stops the processes started so far, newest first. */
  const stops: (() => Promise<void>)[] = [];
  const serve = async (point: GrowthPoint, dataUrl: string, ids: string[]): Promise<GrowthSide> => {
    const { fleet, gateway, stop } = await startOurStack(dataUrl, poolMax);
    stops.unshift(stop);
    await fetch360s(gateway.url, ids.slice(0, 5));
    return { point, gateway, fleet, bodies: bodiesFor(ids) };
  };
  try {
    large.customers = await inspectDataset(url);
    log(`growth: large dataset ${database} holds ${large.customers} customers`);
    const ids = await sampleCustomerIds(url, 1000, seed);
    log(
      `growth: cache warm-up: the large point's sampled customers read once in ${(await warmCustomers(url, ids)).toFixed(1)} s; starting a gateway and five subgraphs per point`,
    );
    const sides: Record<'small' | 'large', GrowthSide> = {
      small: await serve(smallPoint, small.url, small.ids),
      large: await serve(large, url, ids),
    };
    for (const [key, side] of Object.entries(sides)) {
      log(`growth ${key}: warm-up (${3 * warmupSeconds} s)`);
      await measureWindow(side.gateway, side.fleet, side.bodies, {
        concurrency,
        warmupSeconds,
        durationSeconds: 2 * warmupSeconds,
      });
    }
    const rounds = 2;
    const order: ('small' | 'large')[] = ['small', 'large', 'large', 'small'];
    const before = await seqScanCounters(url);
    for (const [i, key] of order.entries()) {
      const side = sides[key];
      log(`growth ${key}: window ${i + 1}/${order.length} at concurrency ${concurrency}`);
      const t = await measureWindow(side.gateway, side.fleet, side.bodies, {
        concurrency,
        warmupSeconds: Math.min(warmupSeconds, 2),
        durationSeconds: durationSeconds / rounds,
      });
      side.loaded = addTotals(side.loaded, t);
    }
    // Statistics reach pg_stat_user_tables when backends go idle: give them a moment.
    await new Promise((r) => setTimeout(r, 1500));
    large.seqScans = seqScanDeltas(before, await seqScanCounters(url));
    for (const [i, key] of order.entries()) {
      const side = sides[key];
      log(`growth ${key}: window ${i + 1}/${order.length} with one client`);
      const t = await measureWindow(side.gateway, side.fleet, side.bodies, {
        concurrency: 1,
        warmupSeconds: 1,
        durationSeconds: Math.min(durationSeconds, 5) / rounds,
      });
      side.single = addTotals(side.single, t);
    }
    for (const side of Object.values(sides)) {
      const { load, cpu } = summarizeTotals(side.loaded!);
      side.point.loaded = load;
      side.point.cpu = cpu;
      side.point.single = summarizeTotals(side.single!).load;
    }
    for (const key of ['small', 'large'] as const) {
      const { loaded: load, cpu, single } = sides[key].point;
      log(
        `growth ${key}: ${fmt(load?.throughput, 0)} req/s, p50 ${fmt(load?.p50Ms)} ms, p99 ${fmt(load?.p99Ms)} ms, one client p50 ${fmt(single?.p50Ms)} ms; CPU per request: gateway ${fmt(cpu?.gatewayMsPerRequest, 2)} ms, subgraphs ${fmt(cpu?.subgraphsMsPerRequest, 2)} ms, Postgres ${fmt(cpu?.postgresMsPerRequest, 2)} ms, other ${fmt(cpu?.otherMsPerRequest, 2)} ms`,
      );
    }
  } catch (error) {
    large.error = (error as Error).message;
    log(`growth: FAILED: ${large.error.split('\n')[0]}`);
  } finally {
    for (const stop of stops) await stop();
  }
  return { small: smallPoint, large };
}

async function main(): Promise<void> {
  log(
    `machine: ${results.machine.cpus} CPUs, load average ${results.machine.loadAverage.join(' ')}; Node ${process.version}`,
  );
  const server = await postgresServer(serverUrl!);
  results.machine.postgres = `${server.version}, shared_buffers ${server.sharedBuffersMb} MB`;
  results.machine.sharedBuffersMb = server.sharedBuffersMb;
  const database = `cx_bench_${customers}`;
  const dataset = await prepareDataset({ serverUrl: serverUrl!, database, customers, seed, log });
  results.dataset = { database, customers: dataset.customers, seeded: dataset.seeded };
  const ids = await sampleCustomerIds(dataset.url, Math.min(1000, customers), seed);
  results.options.sampleIds = ids.length;
  log(`dataset ready: ${database}, ${ids.length} sampled customer ids`);
  log(
    `cache warm-up: the sampled customers read once in ${(await warmCustomers(dataset.url, ids)).toFixed(1)} s; starting the five subgraphs`,
  );

  const poolMax = await connectionBudget(serverUrl!);
  results.options.poolMax = poolMax;
  let fleet = await startSubgraphs(dataset.url, poolMax);
  let ours: GatewayProcess | undefined;
  try {
    const reference: { data?: unknown[] } = {};
    const measured: GatewayKind[] =
      growthOnly || onlyHooks ? ['cx'] : values.prototype ? [...gatewayKinds, 'lean'] : [...gatewayKinds];
    const running: { run: GatewayRun; gateway: GatewayProcess }[] = [];
    for (const kind of measured) {
      const { run, gateway } = await startChecked(kind, fleet, ids, reference);
      results.customer360.gateways.push(run);
      if (gateway) running.push({ run, gateway });
    }
    try {
      // --growth-only: the growth section measures our gateway on the small dataset itself.
      const compare = !onlyHooks && !growthOnly;
      if (compare) await compareGateways(running, fleet, bodiesFor(ids));
      ours = running.find((r) => r.run.kind === 'cx')?.gateway;
      const cxRun = running.find((r) => r.run.kind === 'cx')?.run;
      if (ours && cxRun && compare) cxRun.single = await unloaded(ours, fleet, ids);
    } finally {
      for (const r of running) if (r.gateway !== ours) await r.gateway.stop();
    }
    const cx = results.customer360.gateways.find((g) => g.kind === 'cx');
    results.growth.small = { customers, database, loaded: cx?.load, cpu: cx?.cpu, single: cx?.single };

    if (!growthOnly && !onlyHooks) {
      log('floor: five hand-written statements per customer, straight from Postgres');
      try {
        results.floor = await measureFloor(dataset.url, ids, reference.data ?? [], settings, poolMax);
        log(
          `floor: ${fmt(results.floor.load.throughput, 0)} ops/s, p50 ${fmt(results.floor.load.p50Ms)} ms, p99 ${fmt(results.floor.load.p99Ms)} ms; matches gateway: ${results.floor.matchesGateway}`,
        );
      } catch (error) {
        log(`floor: FAILED: ${(error as Error).message}`);
      }
    }

    if (values.profile && !growthOnly && !onlyHooks) {
      for (const kind of measured) {
        try {
          await profileUnderLoad(kind, fleet, ids);
        } catch (error) {
          log(`profile ${kind}: FAILED: ${(error as Error).message.split('\n')[0]}`);
        }
      }
    }

    const growthUrl = await resolveGrowthUrl();
    if (onlyHooks) results.growth.note = 'Not measured: --hooks.';
    else if (!growthUrl)
      results.growth.note = quick
        ? 'The large (1M) point is skipped in quick mode.'
        : 'No large dataset: pass --growth-url <postgres url of a database seeded with 1M customers> (or create cx_bench_1m on the same server: `createdb cx_bench_1m; DATABASE_URL=... npm run seed -- --customers 1000000`).';
    else {
      // The server's connections fit two fleets, not three: section 1's stops during the growth
      // section, and the hooks get a fresh one.
      await ours?.stop();
      ours = undefined;
      await fleet.stop();
      const settled = await settleMachine();
      if (settled !== null) log(`growth: machine settled for ${settled.toFixed(1)} s`);
      Object.assign(results.growth, await measureGrowth({ url: dataset.url, ids }, growthUrl, poolMax));
      fleet = await startSubgraphs(dataset.url, poolMax);
      ours = await startGatewayProcess('cx', fleet.urls).catch((error: Error) => {
        log(`our gateway failed to restart for the hooks: ${error.message.split('\n')[0]}`);
        return undefined;
      });
    }

    for (const spec of hookSpecs) {
      if (growthOnly && spec.key !== 'segmentCount') {
        results.hooks[spec.key] = { status: 'not measured', reason: '--growth-only' };
        continue;
      }
      if (onlyHooks && !onlyHooks.includes(spec.key)) {
        results.hooks[spec.key] = { status: 'not measured', reason: '--hooks' };
        continue;
      }
      if (!ours) {
        results.hooks[spec.key] = { status: 'not measured', reason: 'our gateway failed to start' };
        continue;
      }
      const settled = await settleMachine();
      log(
        `${spec.key}: ${spec.file}${settled === null ? '' : ` (machine settled for ${settled.toFixed(1)} s)`}`,
      );
      const gatewayProcess = ours;
      const profiled =
        values.profile && onlyHooks ? await profileHook(spec.key, [ours, ...fleet.processes]) : null;
      results.hooks[spec.key] = await runHook(spec, {
        gatewayUrl: ours.url,
        subgraphUrls: fleet.urls,
        databaseUrl: dataset.url,
        serverUrl: serverUrl!,
        growthUrl,
        customers,
        quick,
        durationSeconds,
        concurrency,
        cpuMs: stackCpuMs(gatewayProcess, fleet),
        largeStack: growthUrl
          ? async () => {
              const large = await startOurStack(growthUrl, poolMax);
              return {
                gatewayUrl: large.gateway.url,
                databaseUrl: growthUrl,
                cpuMs: stackCpuMs(large.gateway, large.fleet),
                stop: large.stop,
              };
            }
          : undefined,
        log: (line) => log(`${spec.key}: ${line}`),
      });
      await profiled?.();
      log(`${spec.key}: ${describeHook(results.hooks[spec.key]!)}`);
    }
    await ours?.stop();
    ours = undefined;
    await fleet.stop();
  } finally {
    await ours?.stop();
    await fleet.stop();
  }
  judge();
}

/** The five subgraphs over a database and our gateway over them; `stop` ends both (so does a failed start). */
async function startOurStack(databaseUrl: string, poolMax: number) {
  const fleet = await startSubgraphs(databaseUrl, poolMax);
  const gateway = await startGatewayProcess('cx', fleet.urls).catch(async (error: Error) => {
    await fleet.stop();
    throw error;
  });
  return {
    fleet,
    gateway,
    stop: async () => {
      await gateway.stop();
      await fleet.stop();
    },
  };
}

/** CPU milliseconds used so far by a gateway's process and by its subgraph processes together. */
function stackCpuMs(gateway: GatewayProcess, fleet: SubgraphFleet) {
  return async () => {
    const [g, ...subgraphs] = await Promise.all([gateway, ...fleet.processes].map((p) => p.cpu()));
    const ms = (r: { user: number; system: number }) => (r.user + r.system) / 1000;
    return { gateway: ms(g!), subgraphs: subgraphs.reduce((sum, r) => sum + ms(r), 0) };
  };
}

async function resolveGrowthUrl(): Promise<string | undefined> {
  if (values['growth-url']) return values['growth-url'];
  if (quick || values['skip-growth']) return undefined;
  return (await databaseExists(serverUrl!, 'cx_bench_1m'))
    ? databaseUrl(serverUrl!, 'cx_bench_1m')
    : undefined;
}

function describeHook(outcome: HookOutcome): string {
  if (outcome.status === 'measured')
    return `measured in ${outcome.seconds.toFixed(1)} s: ${JSON.stringify(outcome.figures)}`;
  if (outcome.status === 'failed') return `FAILED: ${outcome.error.split('\n')[0]}`;
  return `not measured (${outcome.reason})`;
}

function judge(): void {
  results.targets = evaluateTargets(results);
}

try {
  await main();
} catch (error) {
  log(`FAILED: ${(error as Error).stack ?? error}`);
  process.exitCode = 1;
}
results.seconds = (performance.now() - started) / 1000;
results.machine.loadAverageEnd = machineInfo().loadAverage;
if (results.targets.length === 0) judge();
const markdown = renderMarkdown(results);
console.log(`\n${markdown}`);
const files = writeResults(resultsDir, results, markdown);
log(`wrote ${files.map((f) => path.relative(process.cwd(), f)).join(', ')}`);
// A failed step can leave a pool or child handle open; the report is written, so end here.
process.exit(process.exitCode ?? 0);
