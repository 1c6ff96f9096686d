import { type SubgraphName, subgraphNames } from '@cx/platform/env';
import postgres from 'postgres';
import { request } from 'undici';
import { benchAuthHeaders } from './auth.ts';
import { forkServer, freePort, type ServerProcess } from './children.ts';
import { gatewayEntry, procEntry, subgraphEntry } from './paths.ts';

/** The three gateways the issue compares, plus `lean`: a bench prototype of proposed changes. */
export type GatewayKind = 'cx' | 'apollo' | 'hive' | 'lean';
export const gatewayKinds: readonly GatewayKind[] = ['cx', 'apollo', 'hive'];
export const gatewayLabels: Record<GatewayKind, string> = {
  cx: 'this gateway',
  apollo: 'stock @apollo/gateway',
  hive: 'Hive Gateway',
  lean: 'prototype: this gateway + lean data source',
};
const gatewayEntries: Record<GatewayKind, string> = {
  cx: gatewayEntry,
  apollo: procEntry('apolloStock'),
  hive: procEntry('hiveGateway'),
  lean: procEntry('leanGateway'),
};

const host = '127.0.0.1';
/** Settings every server process shares: quiet logs, not development mode, loopback only. */
const commonEnv = {
  HOST: host,
  LOG_LEVEL: 'warn',
  NODE_ENV: 'test',
  METADATA_SERVER_DETECTION: 'none',
};
const upper = (name: SubgraphName) => name.toUpperCase();

export interface SubgraphFleet {
  urls: Record<SubgraphName, string>;
  processes: ServerProcess[];
  /** Pids of the Postgres backends connected to the fleet's database, for CPU attribution. */
  backendPids(): Promise<number[]>;
  stop(): Promise<void>;
}

async function answers(url: string, init: Parameters<typeof request>[1] = {}): Promise<boolean> {
  const res = await request(url, { ...init, signal: AbortSignal.timeout(2_000) });
  await res.body.dump();
  return res.statusCode === 200;
}

/**
 * The five subgraphs, each its own process through its production entry point, on one database,
 * each with a pool of `poolMax` connections.
 */
export async function startSubgraphs(databaseUrl: string, poolMax: number): Promise<SubgraphFleet> {
  const started = await Promise.allSettled(
    subgraphNames.map(async (name) => {
      const port = await freePort(host);
      const child = await forkServer({
        name,
        entry: subgraphEntry(name),
        env: {
          ...commonEnv,
          [`${upper(name)}_DATABASE_URL`]: databaseUrl,
          [`${upper(name)}_PORT`]: String(port),
          DB_POOL_MAX: String(poolMax),
        },
        ready: () => answers(`http://${host}:${port}/readyz`),
      });
      return { name, process: child, url: `http://${host}:${port}/graphql` };
    }),
  );
  const ok = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  const stop = async () => {
    await Promise.all(ok.map((s) => s.process.stop()));
    await sql.end({ timeout: 5 });
  };
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) {
    await stop();
    throw (failed as PromiseRejectedResult).reason;
  }
  return {
    urls: Object.fromEntries(ok.map((s) => [s.name, s.url])) as Record<SubgraphName, string>,
    processes: ok.map((s) => s.process),
    backendPids: async () =>
      (await sql<{ pid: number }[]>`select pid from pg_stat_activity where datname = current_database()`).map(
        (r) => r.pid,
      ),
    stop,
  };
}

export interface GatewayProcess extends ServerProcess {
  kind: GatewayKind;
  url: string;
}

/** One gateway under test in its own process, so its CPU is its own and nothing else's. */
export async function startGatewayProcess(
  kind: GatewayKind,
  subgraphUrls: Record<SubgraphName, string>,
  /** Settings over the environment's, e.g. another INTERNAL_AUTH_SECRET in tests. */
  extraEnv: Record<string, string> = {},
): Promise<GatewayProcess> {
  const port = await freePort(host);
  const url = `http://${host}:${port}/graphql`;
  const headers = { 'content-type': 'application/json', ...(await benchAuthHeaders()) };
  const child = await forkServer({
    name: gatewayLabels[kind],
    entry: gatewayEntries[kind],
    env: {
      ...commonEnv,
      // One client sending thousands of requests a minute is the point of a load test, not abuse.
      RATE_LIMIT_PER_MINUTE: '1000000000',
      GATEWAY_PORT: String(port),
      ...Object.fromEntries(subgraphNames.map((n) => [`${upper(n)}_URL`, subgraphUrls[n]])),
      ...extraEnv,
    },
    ready: () => answers(url, { method: 'POST', headers, body: '{"query":"{ __typename }"}' }),
  });
  return { ...child, kind, url };
}

/** Posts one GraphQL operation and returns the parsed body. */
export async function postGraphql(
  url: string,
  query: string,
  variables: Record<string, unknown>,
  headers?: Record<string, string>,
): Promise<{ status: number; body: { data?: Record<string, unknown>; errors?: unknown[] } }> {
  const res = await request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(headers ?? (await benchAuthHeaders())) },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.statusCode, body: (await res.body.json()) as { data?: Record<string, unknown> } };
}
