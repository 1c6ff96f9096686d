import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { createDatabase, type DatabaseHandle } from '../../packages/platform/src/db.ts';

/**
 * Tests run against real Postgres when TEST_DATABASE_URL is set (CI), each file in a fresh
 * database of its own, and against an in-memory PGlite otherwise.
 */
export interface TestDatabase {
  kind: 'postgres' | 'pglite';
  url?: string;
  /** The same database without PgBouncer: for LISTEN (createDatabase's listenUrl). Equals `url` without PgBouncer. */
  directUrl?: string;
  pglite?: PGlite;
  drop(): Promise<void>;
}

// Tests are the one place besides env.ts that read the environment: they choose their engine.
export const testDatabaseUrl = process.env.TEST_DATABASE_URL?.trim() || undefined;
/**
 * When TEST_DATABASE_URL goes through PgBouncer (transaction pooling, `?prepare=false`), the same
 * server directly: CREATE/DROP DATABASE and LISTEN go there (CI sets both).
 */
export const testDirectDatabaseUrl = process.env.TEST_DIRECT_DATABASE_URL?.trim() || undefined;

function withDatabase(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** `serverUrl` picks another Postgres server than TEST_DATABASE_URL (e.g. a private cluster a test restarts). */
export async function createTestDatabase(label: string, serverUrl = testDatabaseUrl): Promise<TestDatabase> {
  if (!serverUrl) {
    const pglite = await PGlite.create();
    return { kind: 'pglite', pglite, drop: () => pglite.close() };
  }
  const name = `cx_test_${label.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  // Another server given by the caller (a private cluster) is reached directly.
  const directServer = serverUrl === testDatabaseUrl ? (testDirectDatabaseUrl ?? serverUrl) : serverUrl;
  const admin = postgres(directServer, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  await admin.end();
  return {
    kind: 'postgres',
    url: withDatabase(serverUrl, name),
    directUrl: withDatabase(directServer, name),
    drop: async () => {
      const cleanup = postgres(directServer, { max: 1, onnotice: () => {} });
      await cleanup.unsafe(`drop database if exists "${name}" with (force)`);
      await cleanup.end();
    },
  };
}

/**
 * A fresh test database with a pool on it and the given setup statements run, for tests of the
 * platform's own SQL helpers; `close` ends the pool and drops the database.
 */
export async function openTestDatabase(
  label: string,
  setup: readonly string[],
  poolMax = 1,
): Promise<{ handle: DatabaseHandle; database: TestDatabase; close(): Promise<void> }> {
  const database = await createTestDatabase(label);
  const handle = createDatabase({ url: database.url, pglite: database.pglite, poolMax });
  for (const statement of setup) await handle.db.execute(sql.raw(statement));
  return {
    handle,
    database,
    close: async () => {
      await handle.close();
      await database.drop();
    },
  };
}
