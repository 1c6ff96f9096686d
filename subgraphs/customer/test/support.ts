import {
  createDatabase,
  createPiiCipher,
  type DatabaseHandle,
  type RunningServer,
  startSubgraph,
} from '@cx/platform';
import { pino } from 'pino';
import { createTestDatabase } from '../../../test/helpers/testDatabase.ts';
import { customerSubgraph } from '../src/index.ts';

export const pii = createPiiCipher('test-only-pii-secret-0123456789');

export interface CustomerTestStack {
  database: DatabaseHandle;
  running: RunningServer;
  /** The clock every request reads (ctx.now); tests move it. */
  clock: { now: Date };
  close(): Promise<void>;
}

/** A fresh database (its own Postgres database, or an in-memory PGlite) and a running customer subgraph. */
export async function startCustomerSubgraph(): Promise<CustomerTestStack> {
  const testDatabase = await createTestDatabase('customer');
  const database = createDatabase({ url: testDatabase.url, pglite: testDatabase.pglite, poolMax: 5 });
  await database.migrate(customerSubgraph.migrationsFolder, 'customer');
  const clock = { now: new Date('2026-06-01T02:00:00.000Z') };
  const running = await startSubgraph(
    {
      ...customerSubgraph,
      createContext: (deps, request) => ({
        ...customerSubgraph.createContext(deps, request),
        now: () => clock.now,
      }),
    },
    { database, logger: pino({ level: 'silent' }), pii, port: 0 },
  );
  return {
    database,
    running,
    clock,
    close: async () => {
      await running.close();
      await database.close();
      await testDatabase.drop();
    },
  };
}

export interface GraphQLResponse<T> {
  data?: T;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

/** Posts to the subgraph directly; fails the test on any GraphQL error unless `allowErrors`. */
export async function gql<T>(
  stack: CustomerTestStack,
  query: string,
  variables: Record<string, unknown> = {},
  options: { allowErrors?: boolean } = {},
): Promise<GraphQLResponse<T>> {
  const res = await fetch(stack.running.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as GraphQLResponse<T>;
  if (body.errors && !options.allowErrors) throw new Error(JSON.stringify(body.errors));
  return body;
}

export const daysLater = (from: Date, days: number) => new Date(from.getTime() + days * 86_400_000);

/** The subgraph as a GraphQLClient, for the shared operations. */
export const clientOf = (stack: CustomerTestStack) => ({
  graphql: <T>(query: string, variables?: Record<string, unknown>) =>
    gql<T>(stack, query, variables, { allowErrors: true }),
});
