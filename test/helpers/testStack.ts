import type { SecurityConfig } from '@cx/gateway';
import {
  createPiiCipher,
  type Db,
  type DestinationStream,
  type SubgraphName,
  subgraphNames,
} from '@cx/platform';
import { request } from 'undici';
import { seedDemo } from '../../bench/src/seedDemo.ts';
import { contractDir, openDatabases, type Stack, startStack } from '../../scripts/lib/stack.ts';
import { createTestDatabase, type TestDatabase } from './testDatabase.ts';
import { authHeader, testInternalAuthSecret, testJwt } from './tokens.ts';

export const testPiiSecret = 'test-only-pii-secret-0123456789';
export const testPii = createPiiCipher(testPiiSecret);
/** A fixed "now" keeps the generated history identical in every run. */
export const datasetNow = new Date('2026-11-01T00:00:00Z');

/** The test stack's security: real JWT checks and signed internal headers, with test secrets. */
export function testSecurity(overrides: Partial<SecurityConfig> = {}): SecurityConfig {
  return {
    jwt: { ...testJwt },
    internalAuthSecret: testInternalAuthSecret,
    limits: { maxDepth: 12, maxAliases: 30, maxCost: 20_000 },
    persistedOperationDirs: [contractDir],
    ...overrides,
  };
}

export interface TestStack extends Stack {
  database: TestDatabase;
  dbs: Record<SubgraphName, Db>;
  graphql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<GraphQLResult<T>>;
  stop(): Promise<void>;
}

export interface GraphQLResult<T> {
  status: number;
  data?: T;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

export async function startTestStack(
  label: string,
  options: {
    customers?: number;
    serverUrl?: string;
    /** The event bus over NATS JetStream (a stream of the test's own) instead of in-process. */
    nats?: { url: string; stream: string; subjectPrefix?: string };
    /** Server logs (silent unless given): the level and where the lines go. */
    logs?: { level: string; destination: DestinationStream };
  } = {},
): Promise<TestStack> {
  const database = await createTestDatabase(label, options.serverUrl);
  const databaseUrls = Object.fromEntries(subgraphNames.map((n) => [n, database.url]));
  const directUrls = Object.fromEntries(subgraphNames.map((n) => [n, database.directUrl]));
  const databases = await openDatabases({ databaseUrls, directUrls, pglite: database.pglite, poolMax: 5 });
  const dbs = Object.fromEntries(subgraphNames.map((n) => [n, databases[n].db])) as Record<SubgraphName, Db>;
  if ((options.customers ?? 0) > 0) {
    await seedDemo(dbs, testPii, { customers: options.customers!, seed: 7, now: datasetNow });
  }
  const ports = Object.fromEntries([...subgraphNames, 'gateway'].map((n) => [n, 0]));
  const stack = await startStack(
    {
      databaseUrls,
      pglite: database.pglite,
      pii: testPii,
      ports,
      logLevel: options.logs?.level ?? 'silent',
      logDestination: options.logs?.destination,
      security: testSecurity(),
      nats: options.nats,
    },
    databases,
  );
  return {
    ...stack,
    database,
    dbs,
    async graphql(query, variables, headers) {
      // HQ analyst (sees every row, PII masked) unless the test says otherwise: the role matrix tests pass their own header.
      const auth = headers?.authorization ? {} : await authHeader({ role: 'hq_analyst' });
      const res = await request(stack.gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...auth, ...headers },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await res.body.json()) as Omit<GraphQLResult<never>, 'status'>;
      return { status: res.statusCode, ...body } as GraphQLResult<never>;
    },
    async stop() {
      await stack.close();
      for (const n of subgraphNames) await databases[n].close();
      await database.drop();
    },
  };
}
