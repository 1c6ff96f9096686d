import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import postgres from 'postgres';

/**
 * Tests run against real Postgres when TEST_DATABASE_URL is set (CI), each file in a fresh
 * database of its own, and against an in-memory PGlite otherwise.
 */
export interface TestDatabase {
  kind: 'postgres' | 'pglite';
  url?: string;
  pglite?: PGlite;
  drop(): Promise<void>;
}

// Tests are the one place besides env.ts that read the environment: they choose their engine.
export const testDatabaseUrl = process.env.TEST_DATABASE_URL?.trim() || undefined;

export async function createTestDatabase(label: string): Promise<TestDatabase> {
  if (!testDatabaseUrl) {
    const pglite = await PGlite.create();
    return { kind: 'pglite', pglite, drop: () => pglite.close() };
  }
  const name = `cx_test_${label.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  const admin = postgres(testDatabaseUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  await admin.end();
  const url = new URL(testDatabaseUrl);
  url.pathname = `/${name}`;
  return {
    kind: 'postgres',
    url: url.toString(),
    drop: async () => {
      const cleanup = postgres(testDatabaseUrl, { max: 1, onnotice: () => {} });
      await cleanup.unsafe(`drop database if exists "${name}" with (force)`);
      await cleanup.end();
    },
  };
}
