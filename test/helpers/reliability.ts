import { execFile } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createGatewaySecurity, type RunningGateway, startGateway } from '@cx/gateway';
import {
  createLogger,
  type RunningServer,
  type SubgraphName,
  startSubgraph,
  subgraphNames,
} from '@cx/platform';
import { supergraphPath } from '../../scripts/lib/composition.ts';
import { subgraphModules } from '../../scripts/lib/stack.ts';
import { testDatabaseUrl } from './testDatabase.ts';
import { type TestStack, testPii, testSecurity } from './testStack.ts';
import { testInternalAuthSecret } from './tokens.ts';

const run = promisify(execFile);

/** Restarts one subgraph of a test stack on its old port, with the stack's database and bus. */
export async function restartSubgraph(
  stack: TestStack,
  name: SubgraphName,
  port: number,
): Promise<RunningServer> {
  const running = await startSubgraph(subgraphModules[name], {
    database: stack.databases[name],
    logger: createLogger(name, 'silent'),
    pii: testPii,
    bus: stack.bus,
    internalAuthSecret: testInternalAuthSecret,
    port,
  });
  // The stack closes whatever is in this record, so the replacement is shut down with it.
  stack.subgraphs[name] = running;
  return running;
}

/** Another gateway in front of the stack's subgraphs (port 0 picks a free one; the old port restarts it in place). */
export async function startGatewayFor(stack: TestStack, port = 0): Promise<RunningGateway> {
  return startGateway({
    supergraphSdl: readFileSync(supergraphPath, 'utf8'),
    subgraphUrls: Object.fromEntries(subgraphNames.map((n) => [n, stack.subgraphs[n].url])),
    port,
    logger: createLogger('gateway', 'silent'),
    security: createGatewaySecurity(testSecurity()),
  });
}

/** Soak length in seconds: SOAK_SECONDS (tests choose their own bounds; product code reads env.ts only). */
export function soakSeconds(fallback = 20): number {
  const value = Number(process.env.SOAK_SECONDS);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

const pgBin = '/usr/lib/postgresql/15/bin';

/** Restart tests need real Postgres binaries and TEST_DATABASE_URL (CI); on PGlite they skip visibly. */
export const privateClusterAvailable = Boolean(testDatabaseUrl) && existsSync(path.join(pgBin, 'pg_ctl'));

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

export interface PrivateCluster {
  url: string;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A throwaway Postgres cluster (initdb into a temp dir, trust auth, loopback only) that a test may
 * restart without disturbing the machine's shared server. Postgres refuses to run as root, so as
 * root the binaries run as the postgres user on a directory it owns.
 */
export async function startPrivateCluster(): Promise<PrivateCluster> {
  const dir = mkdtempSync(path.join(tmpdir(), 'cx-pg-'));
  const data = path.join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
    chmodSync(dir, 0o700);
  }
  const pg = (tool: string, args: string[]) =>
    asRoot
      ? run('runuser', ['-u', 'postgres', '--', path.join(pgBin, tool), ...args], { timeout: 120_000 })
      : run(path.join(pgBin, tool), args, { timeout: 120_000 });
  const port = await freePort();
  await pg('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8']);
  const options = `-p ${port} -c listen_addresses=127.0.0.1 -k ${dir} -c fsync=off -c max_connections=200`;
  const ctl = (command: string, extra: string[] = []) =>
    pg('pg_ctl', [command, '-D', data, '-w', '-t', '90', ...extra]);
  const withOptions = ['-o', options, '-l', path.join(dir, 'log')];
  await ctl('start', withOptions);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    restart: async () => {
      await ctl('restart', ['-m', 'fast', ...withOptions]);
    },
    stop: async () => {
      await ctl('stop', ['-m', 'immediate']).catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
