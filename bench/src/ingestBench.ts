import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { customers, type SegmentExpression } from '@cx/customer/db/schema';
import { countSegment } from '@cx/customer/segments/compile';
import { mintDevToken } from '@cx/gateway/auth';
import { createPiiCipher, type EventBus, loadEnv, openEmbeddedDatabase, subgraphNames } from '@cx/platform';
import { nationalIdCheckChar } from '@cx/platform/domain/nationalId';
import { count, isNull, sql } from 'drizzle-orm';
import postgres from 'postgres';
import { request } from 'undici';
import { openDatabases, securityFromEnv, startStack } from '../../scripts/lib/stack.ts';
import { cities, models } from './catalog.ts';

/**
 * `npx tsx bench/src/ingestBench.ts [--records 20000] [--batch 1000] [--segment-customers 1000000]
 * [--database-url postgres://...] [--pool 3] [--no-events] [--keep]`
 *
 * Boots the whole supergraph on free ports over a fresh database (a new Postgres database next to
 * --database-url / DATABASE_URL, or an in-memory PGlite), pushes customersIngest batches through the
 * gateway over HTTP and reports records/second, then times segment counts (optionally after adding
 * synthetic customers up to --segment-customers). Writes bench/results/ingest.{json,md}.
 */
const env = loadEnv();
const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '20000' },
    batch: { type: 'string', default: '1000' },
    'segment-customers': { type: 'string', default: '0' },
    'database-url': { type: 'string', default: env.DATABASE_URL ?? '' },
    /** Connections per subgraph: a shared Postgres may be short of them (max_connections). */
    pool: { type: 'string', default: '3' },
    keep: { type: 'boolean', default: false },
    /** Without the event bus the ingest is measured alone (events wait in the outbox, as with no relay). */
    'no-events': { type: 'boolean', default: false },
  },
});
const totalRecords = Number(values.records);
const batchSize = Number(values.batch);
const segmentCustomers = Number(values['segment-customers']);
const poolMax = Number(values.pool);
for (const [flag, n, max] of [
  ['--records', totalRecords, 10_000_000],
  ['--batch', batchSize, 1000],
  ['--segment-customers', segmentCustomers, 100_000_000],
  ['--pool', poolMax, 200],
] as const) {
  if (!Number.isInteger(n) || n < 0 || n > max)
    throw new Error(`${flag}: must be a whole number from 0 to ${max}`);
}
const resultsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../results');

/** A fresh database for the run, so the figures never depend on (or touch) existing data. */
async function freshDatabase(adminUrl: string | undefined) {
  if (!adminUrl) {
    const pglite = await openEmbeddedDatabase('memory');
    return { engine: 'pglite', url: undefined, pglite, drop: () => pglite.close() };
  }
  const name = `cx_bench_ingest_${randomBytes(4).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    engine: 'postgres',
    url: url.toString(),
    pglite: undefined,
    drop: async () => {
      if (values.keep) return console.log(`bench: kept database ${name}`);
      const cleanup = postgres(adminUrl, { max: 1, onnotice: () => {} });
      await cleanup.unsafe(`drop database if exists "${name}" with (force)`);
      await cleanup.end();
    },
  };
}

const phoneOf = (serial: number) => `13${String(serial).padStart(9, '0')}`;
function nationalIdOf(serial: number): string {
  const birth = new Date(Date.UTC(1960, 0, 1) + Math.floor(serial / 1000) * 86_400_000);
  const first17 = `${cities[serial % cities.length]!.areaCode}${birth.toISOString().slice(0, 10).replaceAll('-', '')}${String(serial % 1000).padStart(3, '0')}`;
  return `${first17}${nationalIdCheckChar(first17)}`;
}

/**
 * Deterministic records: mostly new DMS customers; every 10th an app record carrying an earlier
 * customer's verified phone (MATCHED), every 50th also another earlier customer's ID (MERGED).
 */
function recordOf(i: number, observedAt: string): Record<string, unknown> {
  const city = cities[i % cities.length]!;
  const base = {
    name: `Bench ${i}`,
    city: city.city,
    province: city.province,
    observedAt,
    consents: [
      { purpose: 'MARKETING_SMS', granted: i % 10 < 7 },
      { purpose: 'MARKETING_PUSH', granted: i % 10 < 3 },
    ],
  };
  if (i > 100 && i % 50 === 0)
    return {
      ...base,
      source: 'APP',
      externalId: `APP-${i}`,
      phone: phoneOf(i - 101),
      phoneVerified: true,
      nationalId: nationalIdOf(i - 99),
    };
  if (i > 100 && i % 10 === 0)
    return { ...base, source: 'APP', externalId: `APP-${i}`, phone: phoneOf(i - 101), phoneVerified: true };
  return {
    ...base,
    source: 'DMS',
    externalId: `DMS-${i}`,
    phone: phoneOf(i),
    phoneVerified: true,
    nationalId: i % 5 < 3 ? nationalIdOf(i) : null,
    email: i % 4 === 0 ? `bench${i}@example.com` : null,
  };
}

interface IngestResponse {
  data?: { customersIngest: { results: { outcome: string }[]; userErrors: { code: string }[] } };
  errors?: { message: string }[];
}

let authorization = '';

/** A bus that accepts and drops every event: nothing consumes them, so the figure is ingest alone. */
const silentBus: EventBus = {
  publish: async () => {},
  subscribe: async () => async () => {},
  close: async () => {},
};

async function postGraphQL<T>(url: string, query: string, variables: Record<string, unknown>): Promise<T> {
  const res = await request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.body.json()) as T;
}

const ingestMutation = `mutation ($input: CustomersIngestInput!) {
  customersIngest(input: $input) { results { outcome } userErrors { code } }
}`;

/** Adds synthetic live customers with fact, behavior tags and consents in bulk SQL, up to `target`. */
async function addSyntheticCustomers(db: Parameters<typeof countSegment>[0], from: number, target: number) {
  const chunk = 250_000;
  const cityList = sql.raw(`array[${cities.map((c) => `'${c.city.replace("'", "''")}'`).join(',')}]`);
  const brands = [...new Set(models.map((m) => m.brand))];
  const brandList = sql.raw(`array[${brands.map((b) => `'${b}'`).join(',')}]`);
  const modelList = sql.raw(`array[${models.map((m) => `'${m.code}'`).join(',')}]`);
  for (let start = from; start < target; start += chunk) {
    const end = Math.min(target, start + chunk);
    const started = performance.now();
    const ids = sql`select g, md5('bench-synthetic-' || g)::uuid as id from generate_series(${start}::int, ${end - 1}::int) g`;
    await db.execute(sql`insert into customer.customers (id, display_name, city, birth_date, created_at, updated_at)
      select s.id, 'Synthetic ' || s.g, (${cityList})[1 + s.g % ${cities.length}],
        date '1960-01-01' + (s.g % 15000), now() - make_interval(secs => s.g), now() from (${ids}) s`);
    await db.execute(sql`insert into customer.tags (customer_id, key, label, kind, expires_at)
      select s.id, t.key, t.key, t.kind::customer.tag_kind, t.expires_at from (${ids}) s
      cross join lateral (values
        ('city:' || (${cityList})[1 + s.g % ${cities.length}], 'FACT', null::timestamptz),
        ('age:' || case when s.g % 15000 > 12000 then 'under-30' when s.g % 15000 > 8000 then '30-39'
                        when s.g % 15000 > 4000 then '40-49' else '50-plus' end, 'FACT', null),
        ('owns:' || (${brandList})[1 + (s.g / 7) % ${brands.length}], 'FACT', null),
        (case when s.g % 10 = 0 then 'viewed:' || (${modelList})[1 + (s.g / 10) % ${models.length}] end, 'BEHAVIOR',
         now() + interval '5 days')
      ) as t(key, kind, expires_at) where t.key is not null`);
    await db.execute(sql`insert into customer.consents (customer_id, purpose, granted, source)
      select s.id, 'MARKETING_SMS', s.g % 10 < 7, 'DMS' from (${ids}) s`);
    console.log(
      `synthetic: ${end.toLocaleString('en-US')}/${target.toLocaleString('en-US')} customers (${((performance.now() - started) / 1000).toFixed(1)} s for this chunk)`,
    );
  }
  // What autovacuum would do after a bulk load: statistics, and a visibility map for index-only scans.
  for (const table of ['customers', 'tags', 'consents'])
    await db.execute(sql.raw(`vacuum analyze customer.${table}`));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main() {
  const database = await freshDatabase(values['database-url'] || undefined);
  const databaseUrls = Object.fromEntries(subgraphNames.map((n) => [n, database.url]));
  const databases = await openDatabases({
    databaseUrls,
    pglite: database.pglite,
    poolMax: Math.max(1, poolMax),
  });
  const stack = await startStack(
    {
      databaseUrls,
      pglite: database.pglite,
      pii: createPiiCipher(env.PII_SECRET),
      ports: Object.fromEntries([...subgraphNames, 'gateway'].map((n) => [n, 0])),
      logLevel: 'warn',
      security: securityFromEnv(env),
      ...(values['no-events'] ? { bus: silentBus } : {}),
    },
    databases,
  );
  // The gateway verifies a JWT: the bench acts as an HQ integration with a development token.
  const token = await mintDevToken(
    { role: 'hq_admin' },
    { secret: env.JWT_SECRET, issuer: env.JWT_ISSUER, audience: env.JWT_AUDIENCE },
  );
  authorization = `Bearer ${token}`;
  const db = databases.customer.db;
  const url = stack.gateway.url;
  console.log(
    `bench: ${database.engine}, gateway ${url}, ${totalRecords} records in batches of ${batchSize}`,
  );

  const outcomes: Record<string, number> = {};
  let rejected = 0;
  const batchSeconds: number[] = [];
  const started = performance.now();
  const observedAt = new Date().toISOString();
  for (let done = 0; done < totalRecords; ) {
    const n = Math.min(batchSize, totalRecords - done);
    const records = Array.from({ length: n }, (_, k) => recordOf(done + k + 1, observedAt));
    const t = performance.now();
    const body = await postGraphQL<IngestResponse>(url, ingestMutation, { input: { records } });
    if (!body.data) throw new Error(`ingest failed: ${JSON.stringify(body.errors)}`);
    batchSeconds.push((performance.now() - t) / 1000);
    for (const r of body.data.customersIngest.results) outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
    rejected += body.data.customersIngest.userErrors.length;
    done += n;
    const elapsed = (performance.now() - started) / 1000;
    if (done === totalRecords || (done / batchSize) % 5 === 0)
      console.log(
        `ingest: ${done.toLocaleString('en-US')}/${totalRecords.toLocaleString('en-US')} records, ${Math.round(done / elapsed).toLocaleString('en-US')} records/s (last batch ${batchSeconds.at(-1)!.toFixed(2)} s)`,
      );
  }
  const ingestSeconds = (performance.now() - started) / 1000;
  const throughput = totalRecords / ingestSeconds;

  // Re-sending the first batch: the idempotent path.
  const resendStart = performance.now();
  await postGraphQL<IngestResponse>(url, ingestMutation, {
    input: {
      records: Array.from({ length: Math.min(batchSize, totalRecords) }, (_, k) =>
        recordOf(k + 1, observedAt),
      ),
    },
  });
  const resendSeconds = (performance.now() - resendStart) / 1000;

  if (segmentCustomers > 0)
    await addSyntheticCustomers(db, totalRecords + 1, totalRecords + 1 + segmentCustomers);
  const [live] = await db.select({ n: count() }).from(customers).where(isNull(customers.mergedInto));
  const customersNow = Number(live?.n ?? 0);

  const segments: { name: string; expression: SegmentExpression }[] = [
    { name: 'city', expression: { city: 'Shanghai' } },
    {
      name: 'age band and SMS consent',
      expression: { and: [{ tag: 'age:30-39' }, { consent: 'MARKETING_SMS' }] },
    },
    {
      name: 'viewed a model, not in Beijing, owns WEY or Tank',
      expression: {
        and: [
          { tag: `viewed:${models[3]!.code}` },
          { not: { city: 'Beijing' } },
          { or: [{ ownsBrand: 'WEY' }, { ownsBrand: 'Tank' }] },
        ],
      },
    },
    { name: 'everyone without SMS consent', expression: { not: { consent: 'MARKETING_SMS' } } },
  ];
  const segmentResults: { name: string; size: number; medianMs: number; gatewayMs: number }[] = [];
  for (const s of segments) {
    const times: number[] = [];
    let size = 0;
    for (let run = 0; run < 5; run += 1) {
      const t = performance.now();
      size = await countSegment(db, s.expression);
      times.push(performance.now() - t);
    }
    // The same count through the gateway: create the segment, ask for its size.
    const created = await postGraphQL<{ data: { segmentCreate: { segment: { id: string } } } }>(
      url,
      `mutation ($input: SegmentCreateInput!) { segmentCreate(input: $input) { segment { id } } }`,
      { input: { name: s.name, expression: s.expression } },
    );
    const t = performance.now();
    await postGraphQL(url, `query ($id: ID!) { segment(id: $id) { size } }`, {
      id: created.data.segmentCreate.segment.id,
    });
    const gatewayMs = performance.now() - t;
    segmentResults.push({ name: s.name, size, medianMs: median(times), gatewayMs });
    console.log(
      `segment "${s.name}": ${size.toLocaleString('en-US')} of ${customersNow.toLocaleString('en-US')} customers, count ${median(times).toFixed(1)} ms (median of 5), ${gatewayMs.toFixed(1)} ms through the gateway`,
    );
  }

  const result = {
    at: new Date().toISOString(),
    engine: database.engine,
    events: !values['no-events'],
    records: totalRecords,
    batchSize,
    ingestSeconds: Number(ingestSeconds.toFixed(2)),
    recordsPerSecond: Math.round(throughput),
    medianBatchSeconds: Number(median(batchSeconds).toFixed(3)),
    resendBatchSeconds: Number(resendSeconds.toFixed(3)),
    outcomes,
    rejected,
    segmentCustomers: customersNow,
    segments: segmentResults.map((s) => ({
      ...s,
      medianMs: Number(s.medianMs.toFixed(1)),
      gatewayMs: Number(s.gatewayMs.toFixed(1)),
    })),
  };
  console.log(
    `ingest: ${totalRecords.toLocaleString('en-US')} records in ${ingestSeconds.toFixed(1)} s = ${Math.round(throughput).toLocaleString('en-US')} records/s through the gateway (${JSON.stringify(outcomes)}; re-sent batch of ${Math.min(batchSize, totalRecords)} in ${resendSeconds.toFixed(2)} s)`,
  );
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(path.join(resultsDir, 'ingest.json'), `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(
    path.join(resultsDir, 'ingest.md'),
    [
      `# customersIngest and segment count benchmark`,
      '',
      `${result.at}, ${result.engine}, Node ${process.version}, event bus ${result.events ? 'on (consumers run during the ingest)' : 'off'}. Command: \`npx tsx bench/src/ingestBench.ts --records ${totalRecords} --batch ${batchSize} --segment-customers ${segmentCustomers}${result.events ? '' : ' --no-events'}\``,
      '',
      `## Ingest through the gateway (HTTP, batches of ${batchSize})`,
      '',
      `| records | seconds | records/s | median batch (s) | re-sent batch (s) | outcomes |`,
      `|---|---|---|---|---|---|`,
      `| ${totalRecords} | ${result.ingestSeconds} | ${result.recordsPerSecond} | ${result.medianBatchSeconds} | ${result.resendBatchSeconds} | ${Object.entries(
        outcomes,
      )
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')} |`,
      '',
      `## Segment count (${customersNow.toLocaleString('en-US')} live customers)`,
      '',
      `| segment | size | countSegment median of 5 (ms) | Segment.size through the gateway (ms) |`,
      `|---|---|---|---|`,
      ...result.segments.map((s) => `| ${s.name} | ${s.size} | ${s.medianMs} | ${s.gatewayMs} |`),
      '',
    ].join('\n'),
  );
  console.log(`bench: wrote ${path.join(resultsDir, 'ingest.json')} and ingest.md`);
  await stack.close();
  for (const name of subgraphNames) await databases[name].close();
  await database.drop();
}

await main();
