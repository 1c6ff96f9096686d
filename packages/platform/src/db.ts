import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { Logger as DrizzleLogger } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { requestScope } from './requestScope.ts';
import { DatabaseTelemetry, instrumentDrizzle } from './telemetry/sql.ts';

/** The driver-neutral Drizzle handle every repository takes as its first argument. */
export type Db = PgDatabase<PgQueryResultHKT, Record<string, never>>;

/** Counts SQL statements per database handle; tests use it to prove there is no N+1. */
export class StatementCounter implements DrizzleLogger {
  count = 0;
  /** Statements issued while serving requests only, so background pollers don't blur the figure. */
  requestCount = 0;
  readonly recent: string[] = [];
  /** Statement timing, pool use and SQL spans (telemetry/sql.ts finds the handle through this logger). */
  telemetry: DatabaseTelemetry | undefined;
  constructor(private readonly keepRecent = 0) {}
  logQuery(query: string): void {
    this.count += 1;
    if (requestScope.getStore()) this.requestCount += 1;
    if (this.keepRecent > 0) {
      this.recent.push(query);
      if (this.recent.length > this.keepRecent) this.recent.shift();
    }
  }
  reset(): void {
    this.count = 0;
    this.requestCount = 0;
    this.recent.length = 0;
  }
}

export interface DatabaseHandle {
  readonly db: Db;
  readonly kind: 'postgres' | 'pglite';
  readonly counter: StatementCounter;
  readonly telemetry: DatabaseTelemetry;
  migrate(migrationsFolder: string, schemaName: string): Promise<void>;
  /** LISTEN on a channel (a direct connection for postgres, never a pooled one); resolves to an unlisten. */
  listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** A postgres:// URL; without it the shared embedded PGlite instance is used. */
  url?: string;
  pglite?: PGlite;
  poolMax?: number;
  /** A direct (non-pooled) URL for LISTEN, when `url` goes through PgBouncer. */
  listenUrl?: string;
}

/** Counts open transactions (each holds a pooled connection) and traces them; statements are timed in telemetry/sql.ts. */
function instrumentTransactions(db: Db, telemetry: DatabaseTelemetry): void {
  const transaction = db.transaction.bind(db);
  db.transaction = ((run, config) =>
    telemetry.transaction(() => transaction(run, config))) as Db['transaction'];
}

type UnsafeOptions = Parameters<postgres.Sql['unsafe']>[2];

/** Statements with more parameters than this are bulk writes whose text rarely repeats: not worth keeping. */
const MAX_PREPARED_PARAMETERS = 64;

/**
 * Drizzle's postgres-js driver sends every query built without `.prepare(name)` with
 * `{ prepare: false }`: an unnamed statement that Postgres parses and plans every time, and that
 * postgres.js sends in two round trips (Parse/Describe, then Bind/Execute). Named instead, a
 * repeated statement is one Bind/Execute on a statement the connection already holds
 * (postgres.js keys them by text and parameter types, per connection, for the connection's
 * max_lifetime of 30 to 60 minutes). Transactions get the same: their statements run on a
 * scoped client that `begin` hands out (an event consumer's inbox transaction is all repeats).
 */
function usePreparedStatements(client: postgres.Sql): void {
  prepareRepeats(client);
  type Run = (tx: postgres.TransactionSql) => unknown;
  const begin = client.begin.bind(client) as unknown as (options: string, run: Run) => unknown;
  const scoped = (run: Run) => (tx: postgres.TransactionSql) => {
    prepareRepeats(tx);
    return run(tx);
  };
  client.begin = ((options: string | Run, run?: Run) =>
    typeof options === 'function'
      ? begin('', scoped(options))
      : begin(options, scoped(run!))) as unknown as typeof client.begin;
}

function prepareRepeats(client: Pick<postgres.Sql, 'unsafe'>): void {
  const unsafe = client.unsafe.bind(client);
  client.unsafe = ((query: string, params?: postgres.ParameterOrJSON<never>[], opts?: UnsafeOptions) =>
    unsafe(
      query,
      params,
      opts?.prepare === false && (params?.length ?? 0) <= MAX_PREPARED_PARAMETERS
        ? { ...opts, prepare: true }
        : opts,
    )) as typeof client.unsafe;
}

export function createDatabase(options: DatabaseOptions): DatabaseHandle {
  const counter = new StatementCounter(50);
  instrumentDrizzle();
  if (options.url) {
    // Behind PgBouncer (1.18, transaction mode) named prepared statements break: a pooled URL
    // carries `?prepare=false` and every statement goes out as an unnamed one.
    const prepare = !/[?&]prepare=false/.test(options.url);
    // With every connection busy, postgres.js pipelines further queries onto one of them. PgBouncer
    // 1.18 hands the server connection back to its pool at the first ReadyForQuery, so the answer
    // to a pipelined query reaches no client ("got packet ... when not linked") and its caller
    // waits forever. Behind a pooler a busy pool queues instead. (`max_pipeline` is an option
    // postgres.js reads but its typings leave out; 0 needs scripts/patch-postgres.mjs.)
    const clientOptions: postgres.Options<Record<string, never>> & { max_pipeline: number } = {
      max: options.poolMax ?? 10,
      onnotice: () => {},
      prepare,
      max_pipeline: prepare ? 100 : 0,
      connection: { application_name: 'cx-supergraph' },
    };
    const client = postgres(options.url, clientOptions);
    if (prepare) usePreparedStatements(client);
    const db = drizzlePostgres({ client, logger: counter }) as unknown as Db;
    const telemetry = new DatabaseTelemetry(options.poolMax ?? 10, client);
    counter.telemetry = telemetry;
    instrumentTransactions(db, telemetry);
    return {
      db,
      kind: 'postgres',
      counter,
      telemetry,
      migrate: async (migrationsFolder, schemaName) => {
        await migratePostgres(db as unknown as Parameters<typeof migratePostgres>[0], {
          migrationsFolder,
          migrationsSchema: schemaName,
        });
      },
      listen: async (channel, onNotify) => {
        // LISTEN must not go through PgBouncer in transaction mode: <NAME>_DATABASE_DIRECT_URL points past it.
        const listener = options.listenUrl
          ? postgres(options.listenUrl, { max: 1, onnotice: () => {} })
          : client;
        const { unlisten } = await listener.listen(channel, onNotify);
        return async () => {
          await unlisten();
          if (listener !== client) await listener.end({ timeout: 5 });
        };
      },
      close: () => client.end({ timeout: 5 }),
    };
  }
  const { pglite } = options;
  if (!pglite) throw new Error('createDatabase needs either a url or a PGlite instance');
  const db = drizzlePglite({ client: pglite, logger: counter }) as unknown as Db;
  // PGlite is one embedded connection, shared by every subgraph in the process.
  const telemetry = new DatabaseTelemetry(1, pglite);
  counter.telemetry = telemetry;
  instrumentTransactions(db, telemetry);
  return {
    db,
    kind: 'pglite',
    counter,
    telemetry,
    migrate: async (migrationsFolder, schemaName) => {
      await migratePglite(db as unknown as Parameters<typeof migratePglite>[0], {
        migrationsFolder,
        migrationsSchema: schemaName,
      });
    },
    listen: async (channel, onNotify) => {
      const unsubscribe = await pglite.listen(channel, onNotify);
      return unsubscribe;
    },
    // The PGlite instance is shared by all subgraphs; its owner closes it.
    close: async () => {},
  };
}

/** One in-process PGlite hosts every subgraph's schema: a cold start costs seconds and ~0.7 GB. */
export async function openEmbeddedDatabase(dataDir: string | 'memory'): Promise<PGlite> {
  if (dataDir === 'memory') return PGlite.create();
  const dir = path.resolve(dataDir, 'pglite');
  mkdirSync(dir, { recursive: true });
  return PGlite.create(dir);
}
