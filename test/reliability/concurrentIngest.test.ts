import { schema as customerSchema } from '@cx/customer';
import { and, count, eq, inArray, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type IngestResult,
  ingest,
  nationalIdNo,
  phoneNo,
} from '../../subgraphs/customer/test/operations.ts';
import { testDatabaseUrl } from '../helpers/testDatabase.ts';
import { startTestStack, type TestStack } from '../helpers/testStack.ts';

const { customers, identities, sourceRecords } = customerSchema;

// PGlite is one connection: requests there never overlap inside the database, so the race needs Postgres.
const onPostgres = Boolean(testDatabaseUrl);
if (!onPostgres)
  console.warn('concurrentIngest: skipped on PGlite (set TEST_DATABASE_URL for real concurrency)');

const ROUNDS = 40;
const PARALLEL_ROUNDS = 5;

describe.skipIf(!onPostgres)(
  'the same person ingested from two sources at the same moment (real Postgres)',
  () => {
    let stack: TestStack;
    beforeAll(async () => {
      stack = await startTestStack('rel_concurrent_ingest');
    });
    afterAll(async () => {
      await stack?.stop();
    });

    const record = (source: 'DMS' | 'APP', round: number) => ({
      source,
      externalId: `${source}-RACE-${round}`,
      name: `${source === 'DMS' ? 'Wang' : 'Wang Xiao'} ${round}`,
      phone: phoneNo(700_000 + round),
      phoneVerified: true,
      nationalId: nationalIdNo(70_000 + round),
      email: `race${round}@example.com`,
    });

    it(`${ROUNDS} rounds of DMS and APP in parallel: one customer each, every identity kept, none twice`, async () => {
      const reports: { round: number; dms: IngestResult; app: IngestResult }[] = [];
      for (let start = 0; start < ROUNDS; start += PARALLEL_ROUNDS) {
        // Every request of these rounds is in flight at once: 2 sources x PARALLEL_ROUNDS people.
        const batch = await Promise.all(
          Array.from({ length: PARALLEL_ROUNDS }, async (_, i) => {
            const round = start + i;
            const [dms, app] = await Promise.all([
              ingest(stack, [record('DMS', round)]),
              ingest(stack, [record('APP', round)]),
            ]);
            return { round, dms, app };
          }),
        );
        reports.push(...batch);
      }

      for (const { round, dms, app } of reports) {
        expect(dms.userErrors, `round ${round}`).toEqual([]);
        expect(app.userErrors, `round ${round}`).toEqual([]);
        // Whichever committed second found the first by its verified phone and national ID.
        expect(new Set([dms.results[0]!.outcome, app.results[0]!.outcome]), `round ${round}`).toEqual(
          new Set(['CREATED', 'MATCHED']),
        );
        expect(app.results[0]!.customer.id, `round ${round}`).toBe(dms.results[0]!.customer.id);
      }

      const ids = reports.map((r) => r.dms.results[0]!.customer.id);
      expect(new Set(ids).size).toBe(ROUNDS);
      const [{ live }] = await stack.dbs.customer
        .select({ live: count() })
        .from(customers)
        .where(isNull(customers.mergedInto));
      const [{ all }] = await stack.dbs.customer.select({ all: count() }).from(customers);
      // Exactly one customer per person: none created twice and merged later, none left half-made.
      expect(live).toBe(ROUNDS);
      expect(all).toBe(ROUNDS);

      const records = await stack.dbs.customer.select().from(sourceRecords);
      expect(records).toHaveLength(2 * ROUNDS);
      const owned = await stack.dbs.customer
        .select()
        .from(identities)
        .where(inArray(identities.customerId, ids));
      const [{ total }] = await stack.dbs.customer.select({ total: count() }).from(identities);
      expect(owned).toHaveLength(total);
      for (const [round, id] of ids.entries()) {
        const mine = owned.filter((i) => i.customerId === id);
        // Both sources' external id, phone, national ID and email: 8 identities, each once.
        expect(mine.map((i) => `${i.kind}/${i.source}`).sort(), `round ${round}`).toEqual(
          ['APP', 'DMS']
            .flatMap((s) => ['EMAIL', 'EXTERNAL_ID', 'NATIONAL_ID', 'PHONE'].map((k) => `${k}/${s}`))
            .sort(),
        );
        const bySource = await stack.dbs.customer
          .select({ customerId: sourceRecords.customerId })
          .from(sourceRecords)
          .where(and(inArray(sourceRecords.externalId, [`DMS-RACE-${round}`, `APP-RACE-${round}`])));
        expect(bySource.map((r) => r.customerId)).toEqual([id, id]);
      }
      // No phone or national ID key is claimed by two customers.
      const keyOwners = new Map<string, Set<string>>();
      for (const i of owned.filter((x) => x.kind === 'PHONE' || x.kind === 'NATIONAL_ID')) {
        const key = `${i.kind}:${i.valueKey}`;
        keyOwners.set(key, (keyOwners.get(key) ?? new Set()).add(i.customerId));
      }
      expect([...keyOwners.values()].filter((owners) => owners.size > 1)).toEqual([]);
      expect(keyOwners.size).toBe(2 * ROUNDS);

      // Re-sending both sources at once (a client retry) changes nothing.
      const again = await Promise.all([ingest(stack, [record('DMS', 0)]), ingest(stack, [record('APP', 0)])]);
      expect(again.map((r) => r.results[0]!.outcome)).toEqual(['UNCHANGED', 'UNCHANGED']);
      const [{ after }] = await stack.dbs.customer
        .select({ after: count() })
        .from(customers)
        .where(eq(customers.id, ids[0]!));
      expect(after).toBe(1);
    });

    it('the same new record without match keys in two batches at once: stored once, for one customer', async () => {
      // No verified phone and no national ID: no key serializes the two batches. The one that
      // commits second fails on the source record's primary key, runs again and finds it.
      const keyless = (round: number) => ({
        source: 'WEBSITE',
        externalId: `WEB-RACE-${round}`,
        name: `Visitor ${round}`,
        email: `visitor${round}@example.com`,
      });
      for (let round = 0; round < ROUNDS; round += 1) {
        const [first, second] = await Promise.all([
          ingest(stack, [keyless(round)]),
          ingest(stack, [keyless(round)]),
        ]);
        expect([...first.userErrors, ...second.userErrors], `round ${round}`).toEqual([]);
        expect([first.results[0]!.outcome, second.results[0]!.outcome].sort(), `round ${round}`).toEqual([
          'CREATED',
          'UNCHANGED',
        ]);
        expect(second.results[0]!.customer.id, `round ${round}`).toBe(first.results[0]!.customer.id);
      }
      const stored = await stack.dbs.customer
        .select({ customerId: sourceRecords.customerId })
        .from(sourceRecords)
        .where(eq(sourceRecords.source, 'WEBSITE'));
      expect(stored).toHaveLength(ROUNDS);
      const owners = [...new Set(stored.map((r) => r.customerId))];
      expect(owners).toHaveLength(ROUNDS);
      const [{ made }] = await stack.dbs.customer
        .select({ made: count() })
        .from(customers)
        .where(inArray(customers.id, owners));
      expect(made).toBe(ROUNDS);
      // Nothing left of the attempt that lost: no customer without a source record.
      const [{ all }] = await stack.dbs.customer.select({ all: count() }).from(customers);
      expect(all).toBe(2 * ROUNDS);
    });
  },
);
