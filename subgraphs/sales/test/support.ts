import { randomBytes, randomUUID } from 'node:crypto';
import {
  createDatabase,
  createPiiCipher,
  type DatabaseHandle,
  type RunningServer,
  startSubgraph,
} from '@cx/platform';
import { PGlite } from '@electric-sql/pglite';
import { createClient } from 'graphql-ws';
import { pino } from 'pino';
import postgres from 'postgres';
import { WebSocket } from 'ws';
import { testDirectDatabaseUrl } from '../../../test/helpers/testDatabase.ts';
import { consultants, dealers } from '../src/db/schema.ts';
import { createSalesSubgraph, salesSubgraph } from '../src/index.ts';

// Tests are the one place besides env.ts that read the environment: they choose their engine.
const adminUrl = process.env.TEST_DATABASE_URL?.trim() || undefined;

export interface TestStack {
  database: DatabaseHandle;
  running: RunningServer;
  /** The clock every request of this stack reads (ctx.now); tests move it. */
  clock: { now: Date };
  wsUrl: string;
  /**
   * Another handle on the same database (a second replica's pool) on Postgres; PGlite is one
   * connection, so there it is the same handle. Closed with the stack.
   */
  secondHandle(): Promise<DatabaseHandle>;
  close(): Promise<void>;
}

/** A fresh database (its own Postgres database, or an in-memory PGlite), migrated, with a running sales subgraph. */
export async function startTestStack(options: { slaPollMs?: number } = {}): Promise<TestStack> {
  let database: DatabaseHandle;
  let databaseUrl: string | null = null;
  let dropDatabase: () => Promise<void>;
  if (adminUrl) {
    const name = `sales_test_${randomBytes(6).toString('hex')}`;
    // Behind PgBouncer (CI), CREATE/DROP DATABASE and LISTEN go to the server directly.
    const directServer = testDirectDatabaseUrl ?? adminUrl;
    const admin = postgres(directServer, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database "${name}"`);
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    databaseUrl = url.toString();
    const directUrl = new URL(directServer);
    directUrl.pathname = `/${name}`;
    database = createDatabase({ url: databaseUrl, listenUrl: directUrl.toString(), poolMax: 10 });
    dropDatabase = async () => {
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.end();
    };
  } else {
    const pglite = await PGlite.create();
    database = createDatabase({ pglite });
    dropDatabase = () => pglite.close();
  }
  await database.migrate(salesSubgraph.migrationsFolder, 'sales');
  const clock = { now: new Date('2026-03-02T01:00:00.000Z') };
  const extraHandles: DatabaseHandle[] = [];
  // The SLA sweeper polls rarely unless a test asks: tests mostly call runSlaSweep themselves.
  const running = await startSubgraph(
    createSalesSubgraph({ now: () => clock.now, slaPollMs: options.slaPollMs ?? 3_600_000 }),
    { database, logger: pino({ level: 'silent' }), pii: createPiiCipher('test-secret-123456789'), port: 0 },
  );
  return {
    database,
    running,
    clock,
    wsUrl: running.url.replace(/^http/, 'ws'),
    secondHandle: async () => {
      if (!databaseUrl) return database;
      const handle = createDatabase({ url: databaseUrl, poolMax: 5 });
      extraHandles.push(handle);
      return handle;
    },
    close: async () => {
      await running.close();
      for (const handle of extraHandles) await handle.close();
      await database.close();
      await dropDatabase();
    },
  };
}

export interface GraphQLResponse<T> {
  data?: T;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

export async function gql<T>(
  stack: TestStack,
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

export const ids = {
  sh1a: '00000000-0000-4000-8000-0000000000a1',
  sh1b: '00000000-0000-4000-8000-0000000000a2',
  sh1x: '00000000-0000-4000-8000-0000000000a3',
  sh2a: '00000000-0000-4000-8000-0000000000b1',
  hz1: '00000000-0000-4000-8000-0000000000c1',
  nj1: '00000000-0000-4000-8000-0000000000d1',
  bj1: '00000000-0000-4000-8000-0000000000e1',
} as const;

/**
 * Shanghai has two dealers (SH01: a Haval specialist and an all-rounder, plus an inactive one;
 * SH02: one WEY specialist with room for a single lead). Hangzhou and Nanjing are in the same
 * region (EAST); Nanjing's only consultant sells Tank. Beijing is NORTH.
 */
export async function seedNetwork(database: DatabaseHandle): Promise<void> {
  await database.db.insert(dealers).values([
    { code: 'SH01', name: 'Shanghai Pudong 4S', city: 'Shanghai', province: 'Shanghai', region: 'EAST' },
    { code: 'SH02', name: 'Shanghai Minhang 4S', city: 'Shanghai', province: 'Shanghai', region: 'EAST' },
    { code: 'HZ01', name: 'Hangzhou Xihu 4S', city: 'Hangzhou', province: 'Zhejiang', region: 'EAST' },
    { code: 'NJ01', name: 'Nanjing Gulou 4S', city: 'Nanjing', province: 'Jiangsu', region: 'EAST' },
    { code: 'BJ01', name: 'Beijing Chaoyang 4S', city: 'Beijing', province: 'Beijing', region: 'NORTH' },
  ]);
  await database.db.insert(consultants).values([
    { id: ids.sh1a, dealerCode: 'SH01', name: 'Li Na', skills: ['Haval'], capacity: 30 },
    { id: ids.sh1b, dealerCode: 'SH01', name: 'Wang Wei', skills: [], capacity: 30 },
    { id: ids.sh1x, dealerCode: 'SH01', name: 'Zhao Lei', skills: [], capacity: 30, active: false },
    { id: ids.sh2a, dealerCode: 'SH02', name: 'Chen Jie', skills: ['WEY'], capacity: 1 },
    { id: ids.hz1, dealerCode: 'HZ01', name: 'Liu Yang', skills: ['Haval', 'Tank'], capacity: 30 },
    { id: ids.nj1, dealerCode: 'NJ01', name: 'Sun Hao', skills: ['Tank'], capacity: 30 },
    { id: ids.bj1, dealerCode: 'BJ01', name: 'Zhou Min', skills: [], capacity: 30 },
  ]);
}

export const leadCreateMutation = `
  mutation ($input: LeadCreateInput!) {
    leadCreate(input: $input) {
      lead { id status grade source city dealer { code } assignedConsultant { id } assignedAt createdAt }
      userErrors { field code message }
    }
  }`;

export interface CreatedLead {
  id: string;
  status: string;
  grade: string;
  source: string;
  city: string | null;
  dealer: { code: string } | null;
  assignedConsultant: { id: string } | null;
  assignedAt: string | null;
  createdAt: string;
}

export interface LeadCreateData {
  leadCreate: { lead: CreatedLead | null; userErrors: { field: string; code: string; message: string }[] };
}

export async function createLead(
  stack: TestStack,
  input: Record<string, unknown>,
): Promise<LeadCreateData['leadCreate']> {
  const res = await gql<LeadCreateData>(stack, leadCreateMutation, {
    input: { customerId: randomUUID(), source: 'APP', ...input },
  });
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data!.leadCreate;
}

export function wsClient(stack: TestStack) {
  return createClient({ url: stack.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true });
}

/** Polls until `check` passes or the time is up (events arrive asynchronously after commit). */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
