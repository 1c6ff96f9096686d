import { schema as customerSchema } from '@cx/customer';
import { mintDevToken } from '@cx/gateway/auth';
import {
  createLogger,
  createPiiCipher,
  databaseUrlFor,
  directDatabaseUrlFor,
  exitOnTermination,
  loadEnv,
  openEmbeddedDatabase,
  poolMaxFor,
  portFor,
  subgraphNames,
} from '@cx/platform';
import { startTracing, tracingConfigFromEnv } from '@cx/platform/telemetry/tracing';
import { schema as salesSchema } from '@cx/sales';
import { isSeeded, seedDemo } from '../bench/src/seedDemo.ts';
import { openDatabases, securityFromEnv, startStack } from './lib/stack.ts';

/**
 * `npm start`: the whole supergraph in one process. Without DATABASE_URL it runs on one embedded
 * PGlite under DATA_DIR (one Postgres schema per subgraph), and loads the demo dataset once.
 */
const env = loadEnv();
// One process, one tracer provider: spans tell the servers apart by their instrumentation scope.
const tracing = startTracing(tracingConfigFromEnv(env, 'cx-supergraph'));
const databaseUrls = Object.fromEntries(subgraphNames.map((n) => [n, databaseUrlFor(env, n)]));
const needsEmbedded = subgraphNames.some((n) => !databaseUrls[n]);
const t0 = performance.now();
const pglite = needsEmbedded ? await openEmbeddedDatabase(env.DATA_DIR) : undefined;
if (pglite)
  console.log(
    `database: embedded PGlite at ${env.DATA_DIR}/pglite (${Math.round(performance.now() - t0)} ms)`,
  );

const pii = createPiiCipher(env.PII_SECRET);
const directUrls = Object.fromEntries(subgraphNames.map((n) => [n, directDatabaseUrlFor(env, n)]));
const poolMax = Object.fromEntries(subgraphNames.map((n) => [n, poolMaxFor(env, n)]));
const databases = await openDatabases({ databaseUrls, directUrls, pglite, poolMax });
const dbs = Object.fromEntries(subgraphNames.map((n) => [n, databases[n].db])) as Parameters<
  typeof seedDemo
>[0];
if (await isSeeded(dbs)) {
  console.log('demo data: already loaded');
} else {
  const report = await seedDemo(
    dbs,
    pii,
    { customers: env.SEED_CUSTOMERS, seed: env.SEED, now: new Date() },
    (line) => console.log(line),
  );
  console.log(`demo data: ${report.rows} rows in ${report.seconds.toFixed(1)} s`);
}

const stack = await startStack(
  {
    databaseUrls,
    pglite,
    pii,
    host: env.HOST,
    ports: {
      gateway: env.GATEWAY_PORT,
      ...Object.fromEntries(subgraphNames.map((n) => [n, portFor(env, n)])),
    },
    logLevel: env.LOG_LEVEL === 'info' ? 'warn' : env.LOG_LEVEL,
    development: env.NODE_ENV === 'development',
    maxBodyBytes: env.MAX_BODY_BYTES,
    security: securityFromEnv(env),
    metricsToken: env.METRICS_TOKEN,
    nats: env.NATS_URL ? { url: env.NATS_URL, stream: env.NATS_STREAM } : undefined,
  },
  databases,
);

// A seeded customer, to give the first query something to show.
const [sample] = await dbs.customer
  .select({ id: customerSchema.customers.id })
  .from(customerSchema.customers)
  .orderBy(customerSchema.customers.createdAt)
  .limit(1);
console.log(`\nSupergraph ready: ${stack.gateway.url}`);
for (const name of subgraphNames) console.log(`  ${name.padEnd(9)} ${stack.subgraphs[name].url}`);
if (sample)
  console.log(
    `\nTry: curl -s ${stack.gateway.url} -H 'content-type: application/json' -H "authorization: Bearer $TOKEN" -d '{"query":"{ customer(id: \\"${sample.id}\\") { displayName phone vehicles { vin model { name } } } }"}'`,
  );

// Ready-to-use demo tokens (HS256 with the development secret; production verifies against JWKS).
const jwt = { secret: env.JWT_SECRET, issuer: env.JWT_ISSUER, audience: env.JWT_AUDIENCE };
const [dealer] = await dbs.sales
  .select({ code: salesSchema.dealers.code })
  .from(salesSchema.dealers)
  .orderBy(salesSchema.dealers.code)
  .limit(1);
console.log(
  '\nDemo tokens (send as "authorization: Bearer <token>"; `npm run token -- --role ... --dealer ...` mints more):',
);
for (const claims of [
  { role: 'hq_admin' as const },
  { role: 'hq_analyst' as const },
  ...(dealer
    ? [
        { role: 'dealer_manager' as const, dealer: dealer.code },
        { role: 'dms_integration' as const, dealer: dealer.code },
      ]
    : []),
]) {
  console.log(
    `  ${claims.role}${'dealer' in claims ? ` (${claims.dealer})` : ''}:\n    ${await mintDevToken(claims, jwt)}`,
  );
}

exitOnTermination(
  async () => {
    await stack.close();
    for (const name of subgraphNames) await databases[name].close();
    await pglite?.close();
    await tracing.shutdown();
  },
  createLogger('supergraph', env.LOG_LEVEL),
);
