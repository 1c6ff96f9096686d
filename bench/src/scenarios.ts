import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { SubgraphName } from '@cx/platform/env';
import { subgraphNames } from '@cx/platform/env';
import postgres from 'postgres';
import { benchAuthHeaders } from './auth.ts';
import type { ServerProcess } from './children.ts';
import { fetchFloor360, loadFloorLookups, type QueryFn } from './floor.ts';
import { type LoadResult, type LoopOptions, runClosedLoop, runHttpLoad } from './load.ts';
import { processSecondsBetween, sampleMachineCpu } from './machine.ts';
import { contractDir } from './paths.ts';
import type { CpuAttribution, SeqScanDelta } from './results.ts';
import { type GatewayProcess, postGraphql, type SubgraphFleet } from './servers.ts';
import { summarize } from './stats.ts';

export const customer360 = readFileSync(path.join(contractDir, 'customer360.graphql'), 'utf8');

export interface MeasureSettings {
  concurrency: number;
  warmupSeconds: number;
  durationSeconds: number;
}

/** Request bodies for the ids, serialized once. */
export function bodiesFor(ids: readonly string[]): string[] {
  return ids.map((id) => JSON.stringify({ query: customer360, variables: { id } }));
}

/** The 360 data of each id through one gateway; throws on any error, so nothing broken is measured. */
export async function fetch360s(
  url: string,
  ids: readonly string[],
  headers?: Record<string, string>,
): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const id of ids) {
    const { status, body } = await postGraphql(url, customer360, { id }, headers);
    const customer = (body.data?.customer ?? null) as { id?: string } | null;
    if (status !== 200 || body.errors || customer?.id !== id)
      throw new Error(`360 of ${id}: HTTP ${status} ${JSON.stringify(body).slice(0, 400)}`);
    out.push(customer);
  }
  return out;
}

/** What one or more measured windows through a gateway added up to. */
export interface WindowTotals {
  latencies: number[];
  requests: number;
  errors: number;
  seconds: number;
  firstError?: string;
  gatewayMs: number;
  subgraphsMs: number;
  benchMs: number;
  postgresMs?: number;
  busyMs?: number;
  rssBytes: number;
}

interface CpuSample {
  gateway: number;
  subgraphs: number;
  bench: number;
  rss: number;
  machine: ReturnType<typeof sampleMachineCpu>;
}

async function sampleCpu(gateway: ServerProcess, fleet: SubgraphFleet): Promise<CpuSample> {
  const usOf = async (p: ServerProcess) => {
    const c = await p.cpu();
    return { us: c.user + c.system, rss: c.rssBytes };
  };
  const [g, ...subs] = await Promise.all([usOf(gateway), ...fleet.processes.map(usOf)]);
  const own = process.cpuUsage();
  return {
    gateway: g!.us,
    subgraphs: subs.reduce((sum, s) => sum + s.us, 0),
    bench: own.user + own.system,
    rss: g!.rss,
    machine: sampleMachineCpu(await fleet.backendPids()),
  };
}

/** One measured window through a gateway, with every process's CPU sampled at its edges. */
export async function measureWindow(
  gateway: GatewayProcess,
  fleet: SubgraphFleet,
  bodies: readonly string[],
  settings: MeasureSettings,
  /** Extra work at the window's edges, e.g. starting and stopping CPU profiles. */
  around?: (edge: 'start' | 'end') => Promise<void>,
): Promise<WindowTotals> {
  const edges: Partial<Record<'start' | 'end', CpuSample>> = {};
  const latencies: number[] = [];
  const load = await runHttpLoad({
    ...settings,
    url: gateway.url,
    bodies,
    headers: await benchAuthHeaders(),
    collect: latencies,
    onWindow: async (edge) => {
      if (edge === 'end') await around?.(edge);
      edges[edge] = await sampleCpu(gateway, fleet);
      if (edge === 'start') await around?.(edge);
    },
  });
  const [a, b] = [edges.start!, edges.end!];
  const totals: WindowTotals = {
    latencies,
    requests: load.requests,
    errors: load.errors,
    seconds: load.seconds,
    firstError: load.firstError,
    gatewayMs: (b.gateway - a.gateway) / 1000,
    subgraphsMs: (b.subgraphs - a.subgraphs) / 1000,
    benchMs: (b.bench - a.bench) / 1000,
    rssBytes: b.rss,
  };
  if (a.machine && b.machine) {
    totals.postgresMs = processSecondsBetween(a.machine, b.machine) * 1000;
    totals.busyMs = (b.machine.busySeconds - a.machine.busySeconds) * 1000;
  }
  return totals;
}

export function addTotals(a: WindowTotals | undefined, b: WindowTotals): WindowTotals {
  if (!a) return b;
  const sum = (x?: number, y?: number) => (x === undefined || y === undefined ? undefined : x + y);
  return {
    latencies: [...a.latencies, ...b.latencies],
    requests: a.requests + b.requests,
    errors: a.errors + b.errors,
    seconds: a.seconds + b.seconds,
    firstError: a.firstError ?? b.firstError,
    gatewayMs: a.gatewayMs + b.gatewayMs,
    subgraphsMs: a.subgraphsMs + b.subgraphsMs,
    benchMs: a.benchMs + b.benchMs,
    postgresMs: sum(a.postgresMs, b.postgresMs),
    busyMs: sum(a.busyMs, b.busyMs),
    rssBytes: Math.max(a.rssBytes, b.rssBytes),
  };
}

/** Latency summary, throughput and per-request CPU of the windows added up. */
export function summarizeTotals(t: WindowTotals): { load: LoadResult; cpu: CpuAttribution } {
  const n = Math.max(t.requests, 1);
  const load: LoadResult = {
    ...summarize(t.latencies),
    requests: t.requests,
    errors: t.errors,
    seconds: t.seconds,
    throughput: t.requests / t.seconds,
    firstError: t.firstError,
  };
  const cpu: CpuAttribution = {
    gatewayMsPerRequest: t.gatewayMs / n,
    gatewayCores: t.gatewayMs / 1000 / t.seconds,
    subgraphsMsPerRequest: t.subgraphsMs / n,
    loadGeneratorMsPerRequest: t.benchMs / n,
    gatewayRssMb: t.rssBytes / 2 ** 20,
  };
  if (t.postgresMs !== undefined && t.busyMs !== undefined) {
    cpu.postgresMsPerRequest = t.postgresMs / n;
    cpu.otherMsPerRequest =
      Math.max(0, t.busyMs - t.postgresMs - t.gatewayMs - t.subgraphsMs - t.benchMs) / n;
  }
  return { load, cpu };
}

/** One window, summarized. */
export async function measureGateway(
  gateway: GatewayProcess,
  fleet: SubgraphFleet,
  bodies: readonly string[],
  settings: MeasureSettings,
  around?: (edge: 'start' | 'end') => Promise<void>,
): Promise<{ load: LoadResult; cpu: CpuAttribution }> {
  return summarizeTotals(await measureWindow(gateway, fleet, bodies, settings, around));
}

/** A postgres.js pool per subgraph (the same pool size a subgraph has), as floor query functions. */
export function floorClients(databaseUrl: string, poolMax: number) {
  // One pool per subgraph of the subgraphs' own size: the floor gets the same connections they do.
  const clients = subgraphNames.map(
    (name) => [name, postgres(databaseUrl, { max: poolMax, onnotice: () => {} })] as const,
  );
  const query = Object.fromEntries(
    clients.map(([name, sql]) => [
      name,
      ((text, params) => sql.unsafe(text, params as never[], { prepare: true })) as QueryFn,
    ]),
  ) as Record<SubgraphName, QueryFn>;
  return { query, close: () => Promise.all(clients.map(([, sql]) => sql.end({ timeout: 5 }))) };
}

/** Ids, counts and order of the lists, where floor and gateway must agree. */
export function skeleton(view: unknown): unknown {
  const v = view as Record<string, Record<string, unknown> & { nodes?: { id?: string; kind?: string }[] }> & {
    id: string;
    vehicles: { vin: string; serviceHistory: { totalCount: number; nodes: { id: string }[] } }[];
  };
  const list = (k: string) => ({
    totalCount: Number(v[k]!.totalCount),
    ids: v[k]!.nodes!.map((n) => n.id ?? n.kind),
  });
  return {
    id: v.id,
    vehicles: v.vehicles.map((x) => ({
      vin: x.vin,
      history: {
        totalCount: Number(x.serviceHistory.totalCount),
        ids: x.serviceHistory.nodes.map((n) => n.id),
      },
    })),
    leads: list('leads'),
    orders: list('orders'),
    complaints: list('complaints'),
    surveyResponses: list('surveyResponses'),
  };
}

export async function measureFloor(
  databaseUrl: string,
  ids: readonly string[],
  reference: readonly unknown[],
  settings: LoopOptions,
  poolMax: number,
): Promise<{ load: LoadResult; matchesGateway: boolean }> {
  const { query, close } = floorClients(databaseUrl, poolMax);
  try {
    const lookups = await loadFloorLookups(query);
    let matchesGateway = true;
    for (let i = 0; i < reference.length; i += 1) {
      const floor = await fetchFloor360(query, lookups, ids[i]!);
      if (JSON.stringify(skeleton(floor)) !== JSON.stringify(skeleton(reference[i]))) matchesGateway = false;
    }
    const load = await runClosedLoop(settings, async (sequence) => {
      const view = await fetchFloor360(query, lookups, ids[sequence % ids.length]!);
      return view ? undefined : `no customer ${ids[sequence % ids.length]}`;
    });
    return { load, matchesGateway };
  } finally {
    await close();
  }
}

/**
 * Reads every sampled customer's rows once through the floor statements, so both dataset sizes
 * are measured with their working set in memory: otherwise the large point's window would mostly
 * time first reads from disk of customers the small point had long cached.
 */
export async function warmCustomers(databaseUrl: string, ids: readonly string[]): Promise<number> {
  const { query, close } = floorClients(databaseUrl, 2);
  const started = performance.now();
  try {
    const lookups = await loadFloorLookups(query);
    let next = 0;
    const worker = async () => {
      while (next < ids.length) await fetchFloor360(query, lookups, ids[next++]!);
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    return (performance.now() - started) / 1000;
  } finally {
    await close();
  }
}

/** Sequential-scan counters of every user table, to prove the 360 path stays on indexes. */
export async function seqScanCounters(
  databaseUrl: string,
): Promise<Map<string, { scans: number; rows: number }>> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const rows = await sql<{ name: string; scans: string; rows: string }[]>`
      select schemaname || '.' || relname as name, seq_scan::text as scans, n_live_tup::text as rows
      from pg_stat_user_tables`;
    return new Map(rows.map((r) => [r.name, { scans: Number(r.scans), rows: Number(r.rows) }]));
  } finally {
    await sql.end();
  }
}

/** Tables of more than `minRows` rows scanned sequentially between two counter snapshots. */
export function seqScanDeltas(
  before: Map<string, { scans: number; rows: number }>,
  after: Map<string, { scans: number; rows: number }>,
  minRows = 1000,
): SeqScanDelta[] {
  return [...after]
    .map(([table, a]) => ({ table, seqScans: a.scans - (before.get(table)?.scans ?? 0), rows: a.rows }))
    .filter((d) => d.seqScans > 0 && d.rows > minRows)
    .sort((a, b) => b.seqScans - a.seqScans);
}
