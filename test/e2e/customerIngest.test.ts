import { schema as customerSchema } from '@cx/customer';
import { and, count, eq, inArray, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eraseCustomerRows } from '../../subgraphs/customer/src/privacy/repositories.ts';
import { ingest, nationalIdNo, phoneNo } from '../../subgraphs/customer/test/operations.ts';
import { startTestStack, type TestStack } from '../helpers/testStack.ts';

const record = (serial: number, extra: Record<string, unknown> = {}) => ({
  source: 'DMS',
  externalId: `DMS-B-${serial}`,
  name: `Customer ${serial}`,
  phone: phoneNo(500_000 + serial),
  phoneVerified: true,
  nationalId: nationalIdNo(serial),
  email: `c${serial}@example.com`,
  city: serial % 2 ? 'Shanghai' : 'Hangzhou',
  consents: [{ purpose: 'MARKETING_SMS', granted: serial % 3 !== 0 }],
  ...extra,
});

describe('customersIngest through the gateway', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack('customer_ingest');
  });
  afterAll(async () => {
    await stack?.stop();
  });

  /** SQL statements the customer subgraph issued for one ingest call, and the call's report. */
  async function measured(records: Record<string, unknown>[]) {
    const counter = stack.databases.customer.counter;
    counter.reset();
    const report = await ingest(stack, records);
    return { statements: counter.requestCount, report };
  }

  it('uses a constant number of SQL statements per batch, not one per record', async () => {
    const small = await measured(Array.from({ length: 10 }, (_, i) => record(i)));
    const large = await measured(Array.from({ length: 1000 }, (_, i) => record(1000 + i)));
    expect(small.report.userErrors).toEqual([]);
    expect(large.report.userErrors).toEqual([]);
    expect(large.report.results.every((r) => r.outcome === 'CREATED')).toBe(true);
    // Half of a new batch matches those customers by verified phone: a merge-free MATCHED batch,
    // the other half merges two existing customers each (the phone of one, the ID of another).
    const merging = await measured(
      Array.from({ length: 1000 }, (_, i) =>
        i % 2
          ? record(5000 + i, { phone: phoneNo(500_000 + 1000 + i), nationalId: null, source: 'APP' })
          : record(5000 + i, {
              source: 'APP',
              phone: phoneNo(500_000 + 1000 + i),
              nationalId: nationalIdNo(1000 + i + 1),
            }),
      ),
    );
    expect(merging.report.userErrors).toEqual([]);
    const outcomes = new Set(merging.report.results.map((r) => r.outcome));
    expect(outcomes).toEqual(new Set(['MATCHED', 'MERGED']));
    console.log(
      `customersIngest statements: 10 records ${small.statements}, 1,000 new ${large.statements}, 1,000 matching/merging ${merging.statements}`,
    );
    expect(large.statements).toBe(small.statements);
    // Customers created in the batch own nothing yet: no reads of trees, consents, events, facts or tags.
    // One statement locks a new batch's keys by inserting them, so batches run side by side; keys
    // that existed take a second one (the merging batch below).
    expect(large.statements).toBeLessThanOrEqual(12);
    // Merges add a fixed set: the losers' records and identities, three re-points, the ledger, the outbox,
    // reading back the records of survivors that existed before, and for those survivors the reads and
    // upserts a batch of new customers skips (trees, direct and current consents, events, facts, tags).
    expect(merging.statements).toBeLessThanOrEqual(large.statements + 18);
  });

  it('re-sending a batch changes nothing and reports UNCHANGED', async () => {
    const batch = Array.from({ length: 20 }, (_, i) => record(9000 + i));
    const first = await ingest(stack, batch);
    expect(first.results.map((r) => r.outcome)).toEqual(batch.map(() => 'CREATED'));
    const [{ n: ledgerBefore }] = await stack.dbs.customer
      .select({ n: count() })
      .from(customerSchema.consentHistory);
    const { statements, report } = await measured(batch);
    expect(report.results.map((r) => r.outcome)).toEqual(batch.map(() => 'UNCHANGED'));
    expect(report.results.map((r) => r.customer.id)).toEqual(first.results.map((r) => r.customer.id));
    const [{ n: ledgerAfter }] = await stack.dbs.customer
      .select({ n: count() })
      .from(customerSchema.consentHistory);
    expect(ledgerAfter).toBe(ledgerBefore);
    // Key locks, then reads only: the source records, the identities that could match, the known
    // customers (locked).
    expect(statements).toBeLessThanOrEqual(7);
    const [row] = await stack.dbs.customer
      .select()
      .from(customerSchema.customers)
      .where(eq(customerSchema.customers.id, first.results[0]!.customer.id));
    expect(row!.displayName).toBe('Customer 9000');
  });

  it('reports bad phones, ID numbers and emails each with its own code, and lands the good records', async () => {
    const bad = [
      record(7001, { phone: '1390000' }),
      record(7002, { phone: '+86 120 1234 5678' }),
      record(7003, { phone: '00000000000' }),
      record(7004, { nationalId: '11010519491231002' }),
      record(7005, { nationalId: '110105194902300021' }),
      record(7006, { nationalId: '110105194912310021' }),
      record(7007, { email: 'not-an-email' }),
    ];
    const good = record(7008, { phone: '+86 139-0070-0008', nationalId: '11010519491231002x' });
    const { results, userErrors } = await ingest(stack, [...bad, good]);
    expect(userErrors.map((e) => [e.index, e.field, e.code])).toEqual([
      [0, 'phone', 'PHONE_FORMAT'],
      [1, 'phone', 'PHONE_PREFIX'],
      [2, 'phone', 'PHONE_BLOCKED'],
      [3, 'nationalId', 'NATIONAL_ID_FORMAT'],
      [4, 'nationalId', 'NATIONAL_ID_BIRTH_DATE'],
      [5, 'nationalId', 'NATIONAL_ID_CHECKSUM'],
      [6, 'email', 'EMAIL_FORMAT'],
    ]);
    for (const e of userErrors) expect(e.message).toMatch(new RegExp(`^${e.field}: `));
    expect(results.map((r) => [r.index, r.outcome])).toEqual([[7, 'CREATED']]);
    const customer = await stack.graphql<{ customer: { phone: string; nationalId: string } }>(
      `query ($id: ID!) { customer(id: $id) { phone nationalId } }`,
      { id: results[0]!.customer.id },
    );
    expect(customer.data!.customer).toEqual({ phone: '139****0008', nationalId: '**************002X' });
  });

  it('takes two records of one batch that share a source, a phone and an email as one person', async () => {
    const first = record(7101, { nationalId: null, email: 'shared.7101@example.com' });
    const second = record(7102, {
      nationalId: null,
      phone: first.phone,
      email: 'shared.7101@example.com',
    });
    // An unverified phone does not match, so two people may share it: the later record's owner wins.
    const third = record(7103, { nationalId: null, phone: phoneNo(507_103), phoneVerified: false });
    const fourth = record(7104, { nationalId: null, phone: phoneNo(507_103), phoneVerified: false });
    const { results, userErrors } = await ingest(stack, [first, second, third, fourth]);
    expect(userErrors).toEqual([]);
    expect(results.map((r) => r.outcome)).toEqual(['CREATED', 'MATCHED', 'CREATED', 'CREATED']);
    expect(results[1]!.customer.id).toBe(results[0]!.customer.id);
    const identities = await stack.dbs.customer
      .select()
      .from(customerSchema.identities)
      .where(eq(customerSchema.identities.valueKey, phoneNo(507_103)));
    expect(identities.map((i) => [i.customerId, i.verified])).toEqual([[results[3]!.customer.id, false]]);
  });
  /**
   * Six concurrent batches from six sources carry the same 40 people: some a person's phone, some
   * the ID number, some both (which bridges the two). In any order, each person must end as one
   * live customer, never two created for the same phone or ID. Returns those customers' ids.
   */
  async function ingestPeopleConcurrently(): Promise<string[]> {
    const people = Array.from({ length: 40 }, (_, k) => k);
    const sources = ['DMS', 'APP', 'WEBSITE', 'MINI_PROGRAM', 'CALL_CENTER', 'ECOMMERCE'] as const;
    const batches = sources.map((source, b) =>
      people.map((k) =>
        record(8000 + k, {
          source,
          externalId: `${source}-C-${k}`,
          phone: b % 3 === 1 ? null : phoneNo(600_000 + k),
          nationalId: b % 3 === 0 ? null : nationalIdNo(8000 + k),
          email: null,
        }),
      ),
    );
    const reports = await Promise.all(batches.map((batch) => ingest(stack, batch)));
    for (const report of reports) {
      expect(report.userErrors).toEqual([]);
      expect(report.results).toHaveLength(people.length);
    }
    const ids = [...new Set(reports.flatMap((r) => r.results.map((x) => x.customer.id)))];
    const rows = await stack.dbs.customer
      .select({ id: customerSchema.customers.id, mergedInto: customerSchema.customers.mergedInto })
      .from(customerSchema.customers)
      .where(inArray(customerSchema.customers.id, ids));
    const rootOf = new Map(rows.map((r) => [r.id, r.mergedInto ?? r.id]));
    for (const k of people) {
      const roots = new Set(reports.map((r) => rootOf.get(r.results[k]!.customer.id)));
      expect(roots.size, `person ${k}`).toBe(1);
    }
    const live = await stack.dbs.customer
      .select({ id: customerSchema.customers.id })
      .from(customerSchema.customers)
      .where(and(inArray(customerSchema.customers.id, ids), isNull(customerSchema.customers.mergedInto)));
    expect(live).toHaveLength(people.length);
    return ids;
  }

  it('resolves each person to one customer when concurrent batches from several sources carry them', async () => {
    // Batches hold only their own keys' locks, so these run side by side on Postgres. New keys
    // are locked by inserting them.
    const ids = await ingestPeopleConcurrently();
    // Erasure deletes identities and source records but not the key rows: the same people arriving
    // again find their keys stored and unowned, which only the explicit lock of existing keys guards.
    await stack.dbs.customer.transaction((tx) => eraseCustomerRows(tx, ids, new Date()));
    await ingestPeopleConcurrently();
  });
});
