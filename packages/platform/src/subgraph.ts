import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { BaseContext } from '@apollo/server';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { sql } from 'drizzle-orm';
import { type DocumentNode, parse } from 'graphql';
import { createPiiCipher, type PiiCipher } from './crypto.ts';
import { createDatabase, type DatabaseHandle, type Db, openEmbeddedDatabase } from './db.ts';
import {
  databaseUrlFor,
  directDatabaseUrlFor,
  loadEnv,
  poolMaxFor,
  portFor,
  type SubgraphName,
} from './env.ts';
import { handleOnce, handleOnceBatch } from './events/inbox.ts';
import { connectNatsBusFromEnv } from './events/natsBus.ts';
import type { OutboxTables } from './events/outbox.ts';
import { startEventRelay } from './events/relay.ts';
import type { DomainEvent, EventBus } from './events/types.ts';
import { createLogger, type Logger } from './logger.ts';
import { type RequestInfo, type RunningServer, startSubgraphServer } from './server.ts';
import { exitOnTermination } from './shutdown.ts';
import { Metrics } from './telemetry/metrics.ts';
import { eventOutboxLag, observeOutboxLag } from './telemetry/outbox.ts';
import { observeDatabase } from './telemetry/sql.ts';
import { startTracing, tracingConfigFromEnv } from './telemetry/tracing.ts';

export type ResolverMap<TContext> = GraphQLResolverMap<TContext>;

/** What every subgraph package exports: the same shape for all five. */
export interface SubgraphModule<TContext extends BaseContext> {
  name: SubgraphName;
  typeDefs: DocumentNode;
  resolvers: ResolverMap<TContext>;
  migrationsFolder: string;
  createContext(deps: SubgraphDeps, request: RequestInfo): TContext;
  /**
   * Optional background work or extra protocols bound to the running server (e.g. an outbox
   * relay, a graphql-ws endpoint on the same port). Returns a disposer run on shutdown.
   */
  onStart?(
    running: RunningServer,
    deps: SubgraphDeps & { database: DatabaseHandle; internalAuthSecret?: string },
  ): Promise<() => Promise<void>>;
  /** The subgraph's outbox (see events/outbox.ts) and the events it consumes. */
  events?: { tables: OutboxTables; consumers?: readonly EventConsumer[] };
}

export function loadTypeDefs(packageDir: string): DocumentNode {
  return parse(readFileSync(path.join(packageDir, 'schema.graphql'), 'utf8'));
}

export interface SubgraphDeps {
  db: Db;
  logger: Logger;
  pii: PiiCipher;
  /** Wakes the outbox relay after a commit that wrote events (it also polls). */
  kickRelay: () => void;
  /**
   * This subgraph's Prometheus registry (served at /metrics): `metrics.counter(name, help, labels)`
   * etc. are idempotent by name, so code may ask for its metric where it needs it.
   */
  metrics?: Metrics;
}

/** A durable consumer of other subgraphs' events; `handle` runs once per event, in a transaction. */
export interface EventConsumer {
  name: string;
  topics: readonly string[];
  handle(event: DomainEvent, deps: { db: Db; logger: Logger }): Promise<void>;
}

export interface StartSubgraphOptions {
  pii: PiiCipher;
  /** The gateway's HMAC secret; when set, calls without its signed header are refused. */
  internalAuthSecret?: string;
  /** Without a bus, events stay in the outbox until a relay with one runs. */
  bus?: EventBus;
  database: DatabaseHandle;
  logger: Logger;
  host?: string;
  port?: number;
  development?: boolean;
  maxBodyBytes?: number;
  /** The server's registry (a fresh one when not given); DB, outbox and request metrics go on it. */
  metrics?: Metrics;
  /** Bearer token for /metrics (METRICS_TOKEN). */
  metricsToken?: string;
}

export async function startSubgraph<TContext extends BaseContext>(
  module: SubgraphModule<TContext>,
  options: StartSubgraphOptions,
): Promise<RunningServer> {
  const { db } = options.database;
  const { logger, bus } = options;
  const metrics = options.metrics ?? new Metrics();
  observeDatabase(metrics, options.database.telemetry);
  if (module.events)
    observeOutboxLag(metrics, module.name, eventOutboxLag(db, module.events.tables, module.name));
  const relay =
    module.events && bus
      ? startEventRelay({
          db,
          tables: module.events.tables,
          source: module.name,
          bus,
          logger: logger.child({ component: 'event-relay' }),
        })
      : undefined;
  const unsubscribes: (() => Promise<void>)[] = [];
  if (module.events && bus) {
    const { tables } = module.events;
    for (const consumer of module.events.consumers ?? []) {
      const name = `${module.name}.${consumer.name}`;
      unsubscribes.push(
        await bus.subscribe(
          name,
          consumer.topics,
          async (event) => {
            await handleOnce(db, tables, name, event, (tx) => consumer.handle(event, { db: tx, logger }));
          },
          {
            // One transaction and one inbox insert per run of events; the consumer still sees one event at a time.
            batch: async (events) => {
              await handleOnceBatch(db, tables, name, events, (tx, event) =>
                consumer.handle(event, { db: tx, logger }),
              );
            },
          },
        ),
      );
    }
  }
  const kickRelay = () => relay?.kick();
  const running = await startSubgraphServer({
    name: module.name,
    typeDefs: module.typeDefs,
    resolvers: module.resolvers,
    logger: options.logger,
    host: options.host,
    port: options.port,
    development: options.development,
    maxBodyBytes: options.maxBodyBytes,
    internalAuthSecret: options.internalAuthSecret,
    metrics,
    metricsToken: options.metricsToken,
    createContext: (request) =>
      module.createContext(
        // No requestId binding: the logger's mixin adds it (and the trace ids) to every line of the request.
        { db, pii: options.pii, kickRelay, logger: options.logger, metrics },
        request,
      ),
    ready: async () => {
      await db.execute(sql`select 1`);
    },
  });
  const dispose = await module.onStart?.(running, {
    db,
    pii: options.pii,
    logger,
    kickRelay,
    metrics,
    database: options.database,
    internalAuthSecret: options.internalAuthSecret,
  });
  return {
    ...running,
    close: async () => {
      await dispose?.();
      for (const unsubscribe of unsubscribes) await unsubscribe();
      await relay?.stop();
      await running.close();
    },
  };
}

/** Entry point for running one subgraph as its own process (`npm start -w @cx/<name>`). */
export async function runSubgraphProcess<TContext extends BaseContext>(
  module: SubgraphModule<TContext>,
): Promise<void> {
  const env = loadEnv();
  const logger = createLogger(module.name, env.LOG_LEVEL);
  const tracing = startTracing(tracingConfigFromEnv(env, module.name));
  const metrics = new Metrics();
  metrics.collectProcessMetrics();
  const url = databaseUrlFor(env, module.name);
  // Without a URL a standalone subgraph keeps its own embedded database: PGlite is single-process.
  const pglite = url ? undefined : await openEmbeddedDatabase(path.join(env.DATA_DIR, module.name));
  const database = createDatabase({
    url,
    pglite,
    poolMax: poolMaxFor(env, module.name),
    listenUrl: directDatabaseUrlFor(env, module.name),
  });
  await database.migrate(module.migrationsFolder, module.name);
  // Replicas share one durable consumer per consumer name; without NATS, events wait in the outbox.
  const bus = await connectNatsBusFromEnv(env, logger.child({ component: 'event-bus' }));
  const running = await startSubgraph(module, {
    bus,
    pii: createPiiCipher(env.PII_SECRET),
    // Standalone subgraphs only answer the gateway.
    internalAuthSecret: env.INTERNAL_AUTH_SECRET,
    database,
    logger,
    host: env.HOST,
    port: portFor(env, module.name),
    development: env.NODE_ENV === 'development',
    maxBodyBytes: env.MAX_BODY_BYTES,
    metrics,
    metricsToken: env.METRICS_TOKEN,
  });
  exitOnTermination(async () => {
    await running.close();
    await bus?.close();
    await database.close();
    await pglite?.close();
    await tracing.shutdown();
  }, logger);
}
