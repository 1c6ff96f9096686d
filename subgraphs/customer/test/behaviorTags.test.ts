import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingest, phoneNo } from './operations.ts';
import { type CustomerTestStack, clientOf, daysLater, gql, startCustomerSubgraph } from './support.ts';

const record = `
  mutation ($input: CustomerEventsRecordInput!) {
    customerEventsRecord(input: $input) {
      results { index eventId outcome customer { id } }
      userErrors { index field code message }
    }
  }`;

const tagsOf = `query ($id: ID!) { customer(id: $id) { tags { key kind expiresAt } } }`;

interface RecordData {
  customerEventsRecord: {
    results: { index: number; eventId: string; outcome: string; customer: { id: string } }[];
    userErrors: { index: number; field: string; code: string }[];
  };
}
interface TagsData {
  customer: { tags: { key: string; kind: string; expiresAt: string | null }[] };
}

describe('behavior tags from events, with a controlled clock', () => {
  let stack: CustomerTestStack;
  let customerId: string;
  beforeAll(async () => {
    stack = await startCustomerSubgraph();
    const { results } = await ingest(clientOf(stack), [
      { source: 'APP', externalId: 'app-1', name: 'Zhang San', phone: phoneNo(1), phoneVerified: true },
    ]);
    customerId = results[0]!.customer.id;
  });
  afterAll(async () => {
    await stack?.close();
  });

  const behaviorTags = async () => {
    const res = await gql<TagsData>(stack, tagsOf, { id: customerId });
    return res.data!.customer.tags.filter((t) => t.kind === 'BEHAVIOR').map((t) => t.key);
  };

  it('tags "viewed WEY-MOCHA-2024" for 7 days after the latest view, then drops it', async () => {
    const start = stack.clock.now;
    const res = await gql<RecordData>(stack, record, {
      input: {
        events: [
          {
            eventId: 'ev-1',
            customerId,
            kind: 'MODEL_PAGE_VIEWED',
            subject: 'WEY-MOCHA-2024',
            occurredAt: start.toISOString(),
          },
          { eventId: 'ev-2', customerId, kind: 'COMMUNITY_POSTED', occurredAt: start.toISOString() },
        ],
      },
    });
    expect(res.data!.customerEventsRecord.userErrors).toEqual([]);
    expect(res.data!.customerEventsRecord.results.map((r) => r.outcome)).toEqual(['RECORDED', 'RECORDED']);
    expect(await behaviorTags()).toEqual(['community-active', 'viewed:WEY-MOCHA-2024']);

    stack.clock.now = daysLater(start, 6.9);
    expect(await behaviorTags()).toContain('viewed:WEY-MOCHA-2024');
    stack.clock.now = daysLater(start, 7);
    expect(await behaviorTags()).toEqual(['community-active']);
    // The expired tag no longer matches a search either (the read path and search share ctx.now()).
    const search = await gql<{ customers: { totalCount: number } }>(
      stack,
      `query { customers(filter: { tag: "viewed:WEY-MOCHA-2024" }) { totalCount } }`,
    );
    expect(search.data!.customers.totalCount).toBe(0);
  });

  it('extends the window from the latest event, and re-sending an event changes nothing', async () => {
    const viewAt = stack.clock.now;
    const events = [
      {
        eventId: 'ev-3',
        customerId,
        kind: 'MODEL_PAGE_VIEWED',
        subject: 'WEY-MOCHA-2024',
        occurredAt: viewAt.toISOString(),
      },
    ];
    await gql<RecordData>(stack, record, { input: { events } });
    const again = await gql<RecordData>(stack, record, { input: { events } });
    expect(again.data!.customerEventsRecord.results[0]!.outcome).toBe('UNCHANGED');
    const res = await gql<TagsData>(stack, tagsOf, { id: customerId });
    const viewed = res.data!.customer.tags.find((t) => t.key === 'viewed:WEY-MOCHA-2024');
    expect(viewed?.expiresAt).toBe(daysLater(viewAt, 7).toISOString());
  });

  it('reports bad events per record and still records the good ones', async () => {
    const at = stack.clock.now.toISOString();
    const res = await gql<RecordData>(stack, record, {
      input: {
        events: [
          { eventId: 'ok-1', customerId, kind: 'COUPON_CLICKED', subject: 'SPRING-500', occurredAt: at },
          { eventId: 'bad-1', customerId, kind: 'COUPON_CLICKED', occurredAt: at },
          { eventId: 'bad-2', customerId: 'not-a-uuid', kind: 'COMMUNITY_POSTED', occurredAt: at },
          {
            eventId: 'bad-3',
            customerId: '00000000-0000-4000-8000-000000000001',
            kind: 'COMMUNITY_POSTED',
            occurredAt: at,
          },
          {
            eventId: 'bad-4',
            customerId,
            kind: 'COMMUNITY_POSTED',
            occurredAt: daysLater(stack.clock.now, 1).toISOString(),
          },
          { eventId: 'ev-3', customerId, kind: 'COMMUNITY_POSTED', occurredAt: at },
        ],
      },
    });
    const { results, userErrors } = res.data!.customerEventsRecord;
    expect(results.map((r) => [r.eventId, r.outcome])).toEqual([['ok-1', 'RECORDED']]);
    expect(userErrors.map((e) => [e.index, e.field, e.code])).toEqual([
      [1, 'subject', 'SUBJECT_REQUIRED'],
      [2, 'customerId', 'CUSTOMER_ID_INVALID'],
      [3, 'customerId', 'CUSTOMER_NOT_FOUND'],
      [4, 'occurredAt', 'OCCURRED_IN_FUTURE'],
      [5, 'eventId', 'EVENT_ID_CONFLICT'],
    ]);
    expect(await behaviorTags()).toContain('coupon-clicked:SPRING-500');
  });

  it('segments see the same window: a member drops out when the tag expires', async () => {
    const viewAt = stack.clock.now;
    const created = await gql<{ segmentCreate: { segment: { id: string } } }>(
      stack,
      `mutation { segmentCreate(input: { name: "mocha 7d", expression: { tag: "viewed:WEY-MOCHA-2024" } }) { segment { id } } }`,
    );
    const sizeQuery = `query ($id: ID!) { segment(id: $id) { size members { nodes { id } } } }`;
    const size = async () =>
      (
        await gql<{ segment: { size: number; members: { nodes: { id: string }[] } } }>(stack, sizeQuery, {
          id: created.data!.segmentCreate.segment.id,
        })
      ).data!.segment;
    expect(await size()).toEqual({ size: 1, members: { nodes: [{ id: customerId }] } });
    stack.clock.now = daysLater(viewAt, 7);
    expect(await size()).toEqual({ size: 0, members: { nodes: [] } });
  });
});
