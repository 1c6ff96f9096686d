import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { BaseContext } from '@apollo/server';
import { customerSubgraph } from '@cx/customer';
import { feedbackSubgraph } from '@cx/feedback';
import { createGatewaySecurity, type RunningGateway, type SecurityConfig, startGateway } from '@cx/gateway';
import {
  createDatabase,
  createLogger,
  type DatabaseHandle,
  type DestinationStream,
  type Env,
  type EventBus,
  InProcessBus,
  NatsBus,
  type PiiCipher,
  type RunningServer,
  type SubgraphModule,
  type SubgraphName,
  startSubgraph,
} from '@cx/platform';
import { salesSubgraph } from '@cx/sales';
import { serviceSubgraph } from '@cx/service';
import { vehicleSubgraph } from '@cx/vehicle';
import type { PGlite } from '@electric-sql/pglite';
import { contractDir, repoRoot, supergraphPath } from './composition.ts';

export { contractDir };

export const subgraphModules: Record<SubgraphName, SubgraphModule<BaseContext>> = {
  customer: customerSubgraph as unknown as SubgraphModule<BaseContext>,
  vehicle: vehicleSubgraph as unknown as SubgraphModule<BaseContext>,
  sales: salesSubgraph as unknown as SubgraphModule<BaseContext>,
  service: serviceSubgraph as unknown as SubgraphModule<BaseContext>,
  feedback: feedbackSubgraph as unknown as SubgraphModule<BaseContext>,
};

export interface StackOptions {
  /** Per-subgraph database URLs; a subgraph without one uses the shared embedded PGlite. */
  databaseUrls: Partial<Record<SubgraphName, string>>;
  /** Direct (non-PgBouncer) URLs for LISTEN, where databaseUrls go through PgBouncer. */
  directUrls?: Partial<Record<SubgraphName, string>>;
  pglite?: PGlite;
  pii: PiiCipher;
  host?: string;
  /** 0 picks free ports (tests); the defaults are 4000 for the gateway and 4001-4005 for subgraphs. */
  ports?: Partial<Record<SubgraphName | 'gateway', number>>;
  logLevel?: string;
  development?: boolean;
  /** Connections per subgraph pool: one figure for all, or per subgraph. */
  poolMax?: number | Partial<Record<SubgraphName, number>>;
  maxBodyBytes?: number;
  /** Defaults to NATS JetStream when `nats` is given, else an in-process bus shared by the five subgraphs. */
  bus?: EventBus;
  nats?: { url: string; stream?: string; subjectPrefix?: string };
  /** JWT verification at the gateway and the signed internal header the subgraphs require. */
  security: SecurityConfig;
  /** Bearer token for every server's /metrics (METRICS_TOKEN). */
  metricsToken?: string;
  /** Where every server's pino lines go (tests capture them); stdout when unset. */
  logDestination?: DestinationStream;
}

export interface Stack {
  gateway: RunningGateway;
  subgraphs: Record<SubgraphName, RunningServer>;
  databases: Record<SubgraphName, DatabaseHandle>;
  bus: EventBus;
  close(): Promise<void>;
}

/** Where `npm run dashboard:build` writes the live lead dashboard; the gateway serves it when present. */
export const dashboardDistDir = path.join(repoRoot, 'clients', 'dashboard', 'dist');

export const names = Object.keys(subgraphModules) as SubgraphName[];

/** The gateway's security settings from the validated environment; the contract operations are pre-registered. */
export function securityFromEnv(env: Env): SecurityConfig {
  return {
    jwt: {
      secret: env.JWT_SECRET,
      jwksUrl: env.JWKS_URL,
      issuer: env.JWT_ISSUER,
      audience: env.JWT_AUDIENCE,
    },
    internalAuthSecret: env.INTERNAL_AUTH_SECRET,
    limits: { maxDepth: env.MAX_QUERY_DEPTH, maxAliases: env.MAX_QUERY_ALIASES, maxCost: env.MAX_QUERY_COST },
    rateLimitPerMinute: env.RATE_LIMIT_PER_MINUTE,
    persistedOperationDirs: [contractDir],
    allowlistOnly: env.PERSISTED_OPERATIONS === 'allowlist',
  };
}

/** Opens every subgraph's database and applies its migrations into its own schema. */
export async function openDatabases(
  options: Pick<StackOptions, 'databaseUrls' | 'directUrls' | 'pglite' | 'poolMax'>,
) {
  const databases = {} as Record<SubgraphName, DatabaseHandle>;
  for (const name of names) {
    const database = createDatabase({
      url: options.databaseUrls[name],
      listenUrl: options.directUrls?.[name],
      pglite: options.pglite,
      poolMax: typeof options.poolMax === 'number' ? options.poolMax : options.poolMax?.[name],
    });
    await database.migrate(subgraphModules[name].migrationsFolder, name);
    databases[name] = database;
  }
  return databases;
}

/** The whole supergraph in one process: five subgraphs on their own ports and the gateway. */
export async function startStack(
  options: StackOptions,
  databases?: Record<SubgraphName, DatabaseHandle>,
): Promise<Stack> {
  const dbs = databases ?? (await openDatabases(options));
  const level = options.logLevel ?? 'info';
  // Subgraphs only meet through events, never through tables: over NATS when configured
  // (replicas in other processes share its durable consumers), else in-process.
  const busLogger = createLogger('event-bus', level);
  const ownBus = options.bus
    ? undefined
    : options.nats
      ? await NatsBus.connect({ ...options.nats, logger: busLogger })
      : new InProcessBus(busLogger);
  const bus = options.bus ?? ownBus!;
  const subgraphs = {} as Record<SubgraphName, RunningServer>;
  for (const name of names) {
    subgraphs[name] = await startSubgraph(subgraphModules[name], {
      database: dbs[name],
      logger: createLogger(name, level, options.logDestination),
      pii: options.pii,
      bus,
      internalAuthSecret: options.security.internalAuthSecret,
      host: options.host,
      port: options.ports?.[name],
      development: options.development,
      maxBodyBytes: options.maxBodyBytes,
      metricsToken: options.metricsToken,
    });
  }
  const gateway = await startGateway({
    supergraphSdl: readFileSync(supergraphPath, 'utf8'),
    subgraphUrls: Object.fromEntries(names.map((n) => [n, subgraphs[n].url])),
    host: options.host,
    port: options.ports?.gateway,
    logger: createLogger('gateway', level, options.logDestination),
    metricsToken: options.metricsToken,
    development: options.development,
    maxBodyBytes: options.maxBodyBytes,
    security: createGatewaySecurity(options.security),
    staticDashboardDir: dashboardDistDir,
  });
  return {
    gateway,
    subgraphs,
    databases: dbs,
    bus,
    close: async () => {
      await gateway.close();
      for (const name of names) await subgraphs[name].close();
      await ownBus?.close();
      if (!databases) for (const name of names) await dbs[name].close();
    },
  };
}
