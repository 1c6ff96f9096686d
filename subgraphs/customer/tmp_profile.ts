import { createDatabase, createPiiCipher, type Db } from '@cx/platform';
import postgres from 'postgres';
import { customerSubgraph } from './src/index.ts';
import { ingestCustomers } from './src/ingest/ingestCustomers.ts';
import { nationalIdNo, phoneNo } from './test/operations.ts';

const admin = postgres('postgres://postgres@127.0.0.1:5432/postgres', { max: 1, onnotice: () => {} });
await admin.unsafe('drop database if exists cx_tmp_profile with (force)');
await admin.unsafe('create database cx_tmp_profile');
await admin.unsafe('alter database cx_tmp_profile set log_min_duration_statement = 40');
const database = createDatabase({ url: 'postgres://postgres@127.0.0.1:5432/cx_tmp_profile' });
await database.migrate(customerSubgraph.migrationsFolder, 'customer');
const pii = createPiiCipher('x'.repeat(20));
// time each statement by wrapping execute timing via postgres debug is hard; measure whole calls
const db: Db = database.db;
for (let b = 0; b < 5; b++) {
  const recs = Array.from({ length: 1000 }, (_, k) => {
    const i = b * 1000 + k;
    return {
      source: 'DMS' as const,
      externalId: `D-${i}`,
      name: `N ${i}`,
      phone: phoneNo(i),
      phoneVerified: true,
      nationalId: nationalIdNo(i),
      email: `e${i}@example.com`,
      city: 'Shanghai',
      consents: [{ purpose: 'MARKETING_SMS' as const, granted: true }],
    };
  });
  const t = performance.now();
  const r = await ingestCustomers(db, pii, recs, { now: new Date(), actor: 'p' });
  console.log('batch', b, (performance.now() - t).toFixed(0), 'ms', r.results.length);
}
await database.close();
await admin.unsafe('drop database if exists cx_tmp_profile with (force)');
await admin.end();
