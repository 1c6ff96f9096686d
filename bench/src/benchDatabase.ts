import {
  createDatabase,
  createPiiCipher,
  type DatabaseHandle,
  type Db,
  loadEnv,
  type SubgraphName,
  subgraphNames,
} from '@cx/platform';
import postgres from 'postgres';
import { subgraphModules } from '../../scripts/lib/stack.ts';
import { Random } from './random.ts';
import {
  analyzeSubgraphSchemas,
  countCustomers,
  dropSubgraphSchemas,
  type SeedReport,
  seedDemo,
} from './seedDemo.ts';

export type Log = (line: string) => void;

/** A URL naming another database on the same server. */
export function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

export async function databaseExists(serverUrl: string, database: string): Promise<boolean> {
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    const rows = await admin`select 1 from pg_database where datname = ${database}`;
    return rows.length > 0;
  } finally {
    await admin.end();
  }
}

async function createDatabaseIfMissing(serverUrl: string, database: string): Promise<void> {
  if (await databaseExists(serverUrl, database)) return;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database "${database.replace(/"/g, '""')}"`);
  } finally {
    await admin.end();
  }
}

/** The migrations on disk no longer apply to a database (e.g. an unreleased one was regenerated). */
export class MigrationError extends Error {}

/** Migrates a database's five schemas and runs `work` with a Drizzle handle per subgraph. */
async function withSubgraphDbs<T>(
  url: string,
  work: (dbs: Record<SubgraphName, Db>) => Promise<T>,
): Promise<T> {
  // Opened one by one so that a failing migration still closes the pools opened before it.
  const opened: DatabaseHandle[] = [];
  try {
    const dbs = {} as Record<SubgraphName, Db>;
    for (const name of subgraphNames) {
      const database = createDatabase({ url, poolMax: 10 });
      opened.push(database);
      try {
        await database.migrate(subgraphModules[name].migrationsFolder, name);
      } catch (error) {
        throw new MigrationError(`${name}: ${(error as Error).message.split('\n')[0]}`);
      }
      dbs[name] = database.db;
    }
    return await work(dbs);
  } finally {
    for (const database of opened) await database.close();
  }
}

export interface DatasetRequest {
  serverUrl: string;
  database: string;
  customers: number;
  seed: number;
  log: Log;
}

export interface PreparedDataset {
  url: string;
  customers: number;
  /** Present when this run had to (re)seed. */
  seeded?: SeedReport;
}

/**
 * A database named after its size on the given server, migrated and holding exactly `customers`
 * generated customers. An existing one of the right size is reused, so repeated runs skip the seed.
 */
export async function prepareDataset(options: DatasetRequest): Promise<PreparedDataset> {
  await createDatabaseIfMissing(options.serverUrl, options.database);
  try {
    return await seedOrReuse(options);
  } catch (error) {
    if (!(error instanceof MigrationError)) throw error;
    // The database is the bench's own scratch copy: rebuilding it beats failing the run.
    options.log(`dataset: ${options.database} no longer migrates (${error.message}); recreating it`);
    await dropDatabase(options.serverUrl, options.database);
    await createDatabaseIfMissing(options.serverUrl, options.database);
    return seedOrReuse(options);
  }
}

async function dropDatabase(serverUrl: string, database: string): Promise<void> {
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`drop database if exists "${database.replace(/"/g, '""')}" with (force)`);
  } finally {
    await admin.end();
  }
}

async function seedOrReuse(options: DatasetRequest): Promise<PreparedDataset> {
  const url = databaseUrl(options.serverUrl, options.database);
  const existing = await withSubgraphDbs(url, async (dbs) => {
    const count = await countCustomers(dbs);
    // Another size: dropped and migrated again below (a load into truncated tables stalled).
    if (count > 0 && count !== options.customers) await dropSubgraphSchemas(dbs);
    return count;
  });
  if (existing === options.customers) {
    options.log(`dataset: reusing ${options.database} (${existing} customers)`);
    return { url, customers: existing };
  }
  return withSubgraphDbs(url, async (dbs) => {
    options.log(`dataset: seeding ${options.customers} customers into ${options.database}`);
    const seeded = await seedDemo(
      dbs,
      createPiiCipher(loadEnv().PII_SECRET),
      { customers: options.customers, seed: options.seed, now: new Date() },
      options.log,
    );
    await analyzeSubgraphSchemas(dbs);
    return { url, customers: options.customers, seeded };
  });
}

/** Migrates an existing database (e.g. the 1M one) and counts its customers. */
export function inspectDataset(url: string): Promise<number> {
  return withSubgraphDbs(url, countCustomers);
}

/**
 * `count` distinct live customer ids drawn with a seeded PRNG: each draw is a random uuid,
 * resolved to the first customer id at or after it (an index probe, so 1M rows cost the same).
 */
export async function sampleCustomerIds(url: string, count: number, seed: number): Promise<string[]> {
  const rnd = new Random(seed);
  const probes = Array.from({ length: count * 2 }, () => rnd.uuid());
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const rows = await sql<{ id: string | null }[]>`
      select coalesce(
        (select c.id from customer.customers c where c.id >= p.k and c.merged_into is null order by c.id limit 1),
        (select c.id from customer.customers c where c.merged_into is null order by c.id limit 1)
      )::text as id
      from unnest(${probes}::uuid[]) with ordinality as p(k, n) order by p.n`;
    const ids = [...new Set(rows.map((r) => r.id).filter((id): id is string => id !== null))];
    if (ids.length === 0) throw new Error('the dataset holds no customers');
    return ids.slice(0, count);
  } finally {
    await sql.end();
  }
}

/**
 * Connections each pool may open (subgraph processes and the floor run one pool per subgraph, up
 * to ten pools at once): what the server has free, minus headroom for others, capped at the
 * subgraphs' default of 10.
 */
export async function connectionBudget(serverUrl: string): Promise<number> {
  const sql = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql<{ max: number; used: number }[]>`
      select current_setting('max_connections')::int as max, (select count(*)::int from pg_stat_activity) as used`;
    return Math.max(2, Math.min(10, Math.floor((row!.max - row!.used - 10) / 10)));
  } finally {
    await sql.end();
  }
}
