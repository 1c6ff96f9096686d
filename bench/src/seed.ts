import { parseArgs } from 'node:util';
import { createPiiCipher, databaseUrlFor, loadEnv, openEmbeddedDatabase, subgraphNames } from '@cx/platform';
import { openDatabases } from '../../scripts/lib/stack.ts';
import {
  analyzeSubgraphSchemas,
  dropSubgraphSchemas,
  isSeeded,
  type SubgraphDbs,
  seedDemo,
} from './seedDemo.ts';

/**
 * `npm run seed -- --customers 1000000 [--seed 42] [--reset]` fills the configured databases
 * (DATABASE_URL or <NAME>_DATABASE_URL; the embedded PGlite otherwise) with the demo dataset.
 */
const env = loadEnv();
const { values } = parseArgs({
  options: {
    customers: { type: 'string', default: String(env.SEED_CUSTOMERS) },
    seed: { type: 'string', default: String(env.SEED) },
    reset: { type: 'boolean', default: false },
  },
});
const customers = Number(values.customers);
const seed = Number(values.seed);
if (!Number.isInteger(customers) || customers < 1)
  throw new Error('--customers: must be a positive whole number');
if (!Number.isInteger(seed)) throw new Error('--seed: must be a whole number');

const databaseUrls = Object.fromEntries(subgraphNames.map((n) => [n, databaseUrlFor(env, n)]));
const pglite = subgraphNames.some((n) => !databaseUrls[n])
  ? await openEmbeddedDatabase(env.DATA_DIR)
  : undefined;
let databases = await openDatabases({ databaseUrls, pglite, poolMax: env.DB_POOL_MAX });
let dbs = Object.fromEntries(subgraphNames.map((n) => [n, databases[n].db])) as SubgraphDbs;

if (values.reset) {
  // Dropped and migrated again rather than truncated: a load into truncated tables stalled
  // (postgres.js never settled after the COPYs had finished), one into fresh ones does not.
  await dropSubgraphSchemas(dbs);
  for (const name of subgraphNames) await databases[name].close();
  databases = await openDatabases({ databaseUrls, pglite, poolMax: env.DB_POOL_MAX });
  dbs = Object.fromEntries(subgraphNames.map((n) => [n, databases[n].db])) as SubgraphDbs;
  console.log('seed: dropped and re-created every subgraph schema');
} else if (await isSeeded(dbs)) {
  console.error('seed: the database already holds customers; pass --reset to replace them');
  process.exit(1);
}

const report = await seedDemo(
  dbs,
  createPiiCipher(env.PII_SECRET),
  { customers, seed, now: new Date() },
  (line) => console.log(line),
);
console.log(
  `seed: done, ${report.customers} customers, ${report.rows} rows in ${report.seconds.toFixed(1)} s (${Math.round(report.rows / report.seconds)} rows/s)`,
);
const analyzing = performance.now();
await analyzeSubgraphSchemas(dbs);
console.log(
  `seed: vacuum (analyze) of every table in ${((performance.now() - analyzing) / 1000).toFixed(1)} s`,
);
for (const name of subgraphNames) await databases[name].close();
await pglite?.close();
