import type { EventTopics } from '@cx/platform';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventTables } from '../src/db/schema.ts';
import { ingest, mergeManually, phoneNo, type UserErrorData, unmerge } from './operations.ts';
import { type CustomerTestStack, clientOf, daysLater, gql, startCustomerSubgraph } from './support.ts';

interface HistoryData {
  customer: {
    consents: { purpose: string; granted: boolean }[];
    consentHistory: {
      totalCount: number;
      pageInfo: { hasNextPage: boolean; endCursor: string };
      nodes: {
        purpose: string;
        granted: boolean;
        origin: string;
        source: string | null;
        effectiveAt: string;
      }[];
    };
  };
}
const historyQuery = `query ($id: ID!, $first: Int, $after: String) {
  customer(id: $id) {
    consents { purpose granted }
    consentHistory(first: $first, after: $after) {
      totalCount pageInfo { hasNextPage endCursor }
      nodes { purpose granted origin source effectiveAt }
    }
  }
}`;
const updateMutation = `mutation ($input: ConsentUpdateInput!) {
  consentUpdate(input: $input) { customer { id } userErrors { field code message } }
}`;

describe('consent per purpose, with history', () => {
  let stack: CustomerTestStack;
  let id: string;
  const t0 = new Date('2026-05-01T00:00:00Z');
  const record = (extra: Record<string, unknown>) => ({
    source: 'APP',
    externalId: 'app-zhao',
    name: 'Zhao Liu',
    phone: phoneNo(42),
    phoneVerified: true,
    observedAt: t0.toISOString(),
    consents: [{ purpose: 'MARKETING_SMS', granted: true }],
    ...extra,
  });
  beforeAll(async () => {
    stack = await startCustomerSubgraph();
    id = (await ingest(clientOf(stack), [record({})])).results[0]!.customer.id;
  });
  afterAll(async () => {
    await stack?.close();
  });

  const history = async (first = 20, after: string | null = null) =>
    (await gql<HistoryData>(stack, historyQuery, { id, first, after })).data!.customer;
  const update = async (input: Record<string, unknown>) =>
    (await gql<{ consentUpdate: { userErrors: UserErrorData[] } }>(stack, updateMutation, { input })).data!
      .consentUpdate;

  it('a withdrawal is kept against an older source record re-sent later', async () => {
    expect((await history()).consents).toEqual([{ purpose: 'MARKETING_SMS', granted: true }]);
    // Each step at its own instant: the history is ordered by time (ties by id).
    stack.clock.now = daysLater(stack.clock.now, 1);
    expect(
      (
        await update({
          customerId: id,
          source: 'CALL_CENTER',
          consents: [{ purpose: 'MARKETING_SMS', granted: false }],
        })
      ).userErrors,
    ).toEqual([]);
    stack.clock.now = daysLater(stack.clock.now, 1);
    // The app re-sends its (older) record with a new name: the profile changes, the consent does not.
    const resent = await ingest(clientOf(stack), [record({ name: 'Zhao Liu Jr' })]);
    expect(resent.results[0]!.outcome).toBe('MATCHED');
    const after = await history();
    expect(after.consents).toEqual([{ purpose: 'MARKETING_SMS', granted: false }]);
    expect(after.consentHistory.nodes.map((n) => [n.origin, n.granted])).toEqual([
      ['DIRECT', false],
      ['SOURCE_RECORD', true],
    ]);
  });

  it('a newer statement from a source wins again, and is recorded', async () => {
    stack.clock.now = daysLater(stack.clock.now, 1);
    await ingest(clientOf(stack), [record({ observedAt: stack.clock.now.toISOString() })]);
    const h = await history();
    expect(h.consents).toEqual([{ purpose: 'MARKETING_SMS', granted: true }]);
    expect(h.consentHistory.nodes[0]).toMatchObject({
      origin: 'SOURCE_RECORD',
      granted: true,
      source: 'APP',
    });
  });

  it('a merge brings the merged person’s consents, an unmerge takes them back, both recorded', async () => {
    const other = (
      await ingest(clientOf(stack), [
        {
          source: 'WEBSITE',
          externalId: 'web-zhao',
          name: 'Zhao Liu',
          consents: [{ purpose: 'MARKETING_PUSH', granted: true }],
        },
      ])
    ).results[0]!.customer.id;
    stack.clock.now = daysLater(stack.clock.now, 1);
    const { merge } = await mergeManually(clientOf(stack), {
      survivorId: id,
      mergedId: other,
      reason: 'same email',
    });
    expect((await history()).consents).toContainEqual({ purpose: 'MARKETING_PUSH', granted: true });
    stack.clock.now = daysLater(stack.clock.now, 1);
    await unmerge(clientOf(stack), merge!.id);
    const h = await history();
    expect(h.consents).toEqual([{ purpose: 'MARKETING_SMS', granted: true }]);
    expect(h.consentHistory.nodes.slice(0, 2).map((n) => [n.origin, n.purpose, n.granted])).toEqual([
      ['UNMERGE', 'MARKETING_PUSH', false],
      ['MERGE', 'MARKETING_PUSH', true],
    ]);
  });

  it('pages the history newest first', async () => {
    const all = await history(50);
    const first = await history(2);
    const second = await history(50, first.consentHistory.pageInfo.endCursor);
    expect(first.consentHistory.pageInfo.hasNextPage).toBe(true);
    expect([...first.consentHistory.nodes, ...second.consentHistory.nodes]).toEqual(all.consentHistory.nodes);
    expect(all.consentHistory.totalCount).toBe(all.consentHistory.nodes.length);
  });

  it('rejects bad statements in userErrors naming the field', async () => {
    const dup = await update({
      customerId: id,
      source: 'APP',
      consents: [
        { purpose: 'MARKETING_SMS', granted: true },
        { purpose: 'MARKETING_SMS', granted: false },
      ],
    });
    expect(dup.userErrors.map((e) => [e.field, e.code])).toEqual([['input.consents', 'DUPLICATE_PURPOSE']]);
    const empty = await update({ customerId: id, source: 'APP', consents: [] });
    expect(empty.userErrors.map((e) => e.code)).toEqual(['CONSENTS_EMPTY']);
    const unknown = await update({
      customerId: '00000000-0000-4000-8000-000000000009',
      source: 'APP',
      consents: [{ purpose: 'SENSITIVE_ID', granted: true }],
    });
    expect(unknown.userErrors.map((e) => [e.field, e.code])).toEqual([
      ['input.customerId', 'CUSTOMER_NOT_FOUND'],
    ]);
  });

  it('tells other subgraphs what a batch changed in one event naming every customer', async () => {
    const before = await consentEvents();
    const person = (n: number, consents: { purpose: string; granted: boolean }[]) =>
      record({ externalId: `app-batch-${n}`, name: `Batch ${n}`, phone: phoneNo(600 + n), consents });
    const batch = await ingest(clientOf(stack), [
      person(1, [{ purpose: 'MARKETING_SMS', granted: true }]),
      person(2, [
        { purpose: 'MARKETING_SMS', granted: false },
        { purpose: 'MARKETING_PUSH', granted: true },
      ]),
      person(3, []),
    ]);
    const [one, two] = batch.results.map((r) => r.customer.id);
    const added = (await consentEvents()).slice(before.length);
    expect(added).toHaveLength(1);
    const byCustomer = Object.fromEntries(
      added[0]!.customers.map((c) => [
        c.customerId,
        [...c.changes].sort((a, b) => (a.purpose < b.purpose ? -1 : 1)),
      ]),
    );
    // The customer without statements changed nothing, so the event leaves it out.
    expect(byCustomer).toEqual({
      [one!]: [{ purpose: 'MARKETING_SMS', granted: true }],
      [two!]: [
        { purpose: 'MARKETING_PUSH', granted: true },
        { purpose: 'MARKETING_SMS', granted: false },
      ],
    });
    expect(added[0]!.at).toBe(stack.clock.now.toISOString());
  });

  const consentEvents = async () =>
    (
      await stack.database.db
        .select({ payload: eventTables.outbox.payload })
        .from(eventTables.outbox)
        .where(eq(eventTables.outbox.topic, 'customer.consent_changes'))
        .orderBy(eventTables.outbox.id)
    ).map((r) => r.payload as unknown as EventTopics['customer.consent_changes']);
});
