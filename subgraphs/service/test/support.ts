import {
  createDatabase,
  createPiiCipher,
  type DatabaseHandle,
  type RunningServer,
  startSubgraph,
} from '@cx/platform';
import { pino } from 'pino';
import { createTestDatabase } from '../../../test/helpers/testDatabase.ts';
import { type Context, createContext } from '../src/context.ts';
import { serviceSubgraph } from '../src/index.ts';

export interface ServiceStack {
  database: DatabaseHandle;
  running: RunningServer;
  /** What every request of this stack reads as ctx.now() and ctx.actor; tests move them. */
  clock: { now: Date; actor: string };
  close(): Promise<void>;
}

/** The service subgraph alone on a fresh database (PGlite, or Postgres with TEST_DATABASE_URL). */
export async function startServiceStack(label: string): Promise<ServiceStack> {
  const testDatabase = await createTestDatabase(`service_${label}`);
  const database = createDatabase({ url: testDatabase.url, pglite: testDatabase.pglite, poolMax: 10 });
  await database.migrate(serviceSubgraph.migrationsFolder, 'service');
  const clock = { now: new Date('2026-03-02T02:00:00.000Z'), actor: 'service_advisor:advisor-1' };
  const running = await startSubgraph(
    {
      ...serviceSubgraph,
      createContext: (deps, request): Context => ({
        ...createContext(deps, request),
        now: () => clock.now,
        actor: clock.actor,
      }),
    },
    { database, logger: pino({ level: 'silent' }), pii: createPiiCipher('test-secret-123456789'), port: 0 },
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

/** A raw response, for tests that expect GraphQL errors. */
export async function gqlRaw<T>(
  stack: ServiceStack,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<GraphQLResponse<T>> {
  const res = await fetch(stack.running.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as GraphQLResponse<T>;
}

/** The data of a response that must not carry errors. */
export async function gql<T>(
  stack: ServiceStack,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<T> {
  const body = await gqlRaw<T>(stack, query, variables);
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data!;
}

export interface UserErrorShape {
  field: string;
  code: string;
  message: string;
}

export const minutes = (n: number) => n * 60_000;
export const hours = (n: number) => n * 3_600_000;
export const days = (n: number) => n * 86_400_000;

export function advance(stack: ServiceStack, ms: number): Date {
  stack.clock.now = new Date(stack.clock.now.getTime() + ms);
  return stack.clock.now;
}
