import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { BaseContext } from '@apollo/server';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { sql } from 'drizzle-orm';
import { type DocumentNode, parse } from 'graphql';
import { createPiiCipher, type PiiCipher } from './crypto.ts';
import { createDatabase, type DatabaseHandle, type Db, openEmbeddedDatabase } from './db.ts';
import { databaseUrlFor, loadEnv, portFor, type SubgraphName } from './env.ts';
import { handleOnce } from './events/inbox.ts';
import type { OutboxTables } from './events/outbox.ts';
import { startEventRelay } from './events/relay.ts';
import type { DomainEvent, EventBus } from './events/types.ts';
import { createLogger, type Logger } from './logger.ts';
import { type RequestInfo, type RunningServer, startSubgraphServer } from './server.ts';

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
}

export async function startSubgraph<TContext extends BaseContext>(
  module: SubgraphModule<TContext>,
  options: StartSubgraphOptions,
): Promise<RunningServer> {
  const { db } = options.database;
  const { logger, bus } = options;
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
        await bus.subscribe(name, consumer.topics, async (event) => {
          await handleOnce(db, tables, name, event, (tx) => consumer.handle(event, { db: tx, logger }));
        }),
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
    createContext: (request) =>
      module.createContext(
        { db, pii: options.pii, kickRelay, logger: options.logger.child({ requestId: request.requestId }) },
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
  const url = databaseUrlFor(env, module.name);
  // Without a URL a standalone subgraph keeps its own embedded database: PGlite is single-process.
  const pglite = url ? undefined : await openEmbeddedDatabase(path.join(env.DATA_DIR, module.name));
  const database = createDatabase({ url, pglite, poolMax: env.DB_POOL_MAX });
  await database.migrate(module.migrationsFolder, module.name);
  const running = await startSubgraph(module, {
    pii: createPiiCipher(env.PII_SECRET),
    // Standalone subgraphs only answer the gateway.
    internalAuthSecret: env.INTERNAL_AUTH_SECRET,
    database,
    logger,
    host: env.HOST,
    port: portFor(env, module.name),
    development: env.NODE_ENV === 'development',
    maxBodyBytes: env.MAX_BODY_BYTES,
  });
  const shutdown = async () => {
    await running.close();
    await database.close();
    await pglite?.close();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}
