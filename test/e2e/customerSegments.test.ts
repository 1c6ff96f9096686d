import { schema as customerSchema } from '@cx/customer';
import { upsertDealerRelationships } from '@cx/customer/projections/dealerRelationships';
import { and, eq, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack, testPii } from '../helpers/testStack.ts';
import { authHeader } from '../helpers/tokens.ts';

type Expression =
  | { and: Expression[] }
  | { or: Expression[] }
  | { not: Expression }
  | { tag: string }
  | { city: string }
  | { ownsBrand: string }
  | { consent: string };

interface Person {
  id: string;
  createdAt: Date;
  city: string | null;
  tags: Set<string>;
  granted: Set<string>;
}

/** The brute-force reference: every live customer, evaluated in memory straight from the tables. */
async function people(stack: TestStack, now: Date): Promise<Person[]> {
  const db = stack.dbs.customer;
  const live = await db
    .select()
    .from(customerSchema.customers)
    .where(isNull(customerSchema.customers.mergedInto));
  const tags = await db.select().from(customerSchema.tags);
  const consents = await db
    .select()
    .from(customerSchema.consents)
    .where(eq(customerSchema.consents.granted, true));
  const byId = new Map<string, Person>(
    live.map((c) => [
      c.id,
      { id: c.id, createdAt: c.createdAt, city: c.city, tags: new Set(), granted: new Set() },
    ]),
  );
  for (const t of tags) if (!t.expiresAt || t.expiresAt > now) byId.get(t.customerId)?.tags.add(t.key);
  for (const c of consents) byId.get(c.customerId)?.granted.add(c.purpose);
  return [...byId.values()].sort(
    (a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1),
  );
}

function matches(p: Person, e: Expression): boolean {
  if ('and' in e) return e.and.every((x) => matches(p, x));
  if ('or' in e) return e.or.some((x) => matches(p, x));
  if ('not' in e) return !matches(p, e.not);
  if ('tag' in e) return p.tags.has(e.tag);
  if ('city' in e) return p.city === e.city;
  if ('ownsBrand' in e) return p.tags.has(`owns:${e.ownsBrand}`);
  return p.granted.has(e.consent);
}

interface Page {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  nodes: { id: string }[];
}

describe('segments, consent and search through the gateway', () => {
  let stack: TestStack;
  let everyone: Person[];
  beforeAll(async () => {
    stack = await startTestStack('customer_segments', { customers: 300 });
    // Behavior: a third of the customers viewed the WEY Mocha page today, a few joined a campaign.
    everyone = await people(stack, new Date());
    const now = new Date().toISOString();
    const events = everyone.flatMap((p, i) => [
      ...(i % 3 === 0
        ? [
            {
              eventId: `view-${i}`,
              customerId: p.id,
              kind: 'MODEL_PAGE_VIEWED',
              subject: 'WEY-MOCHA-2024',
              occurredAt: now,
            },
          ]
        : []),
      ...(i % 7 === 0
        ? [
            {
              eventId: `camp-${i}`,
              customerId: p.id,
              kind: 'TEST_DRIVE_CAMPAIGN_JOINED',
              subject: 'TANK-SPRING',
              occurredAt: now,
            },
          ]
        : []),
    ]);
    const res = await stack.graphql<{ customerEventsRecord: { userErrors: unknown[] } }>(
      `mutation ($input: CustomerEventsRecordInput!) { customerEventsRecord(input: $input) { userErrors { index code } } }`,
      { input: { events } },
    );
    expect(res.data!.customerEventsRecord.userErrors).toEqual([]);
    everyone = await people(stack, new Date());
  });
  afterAll(async () => {
    await stack?.stop();
  });

  async function createSegment(name: string, expression: Expression) {
    const res = await stack.graphql<{
      segmentCreate: {
        segment: { id: string; description: string } | null;
        userErrors: { field: string; code: string }[];
      };
    }>(
      `mutation ($input: SegmentCreateInput!) {
        segmentCreate(input: $input) { segment { id description } userErrors { field code message } }
      }`,
      { input: { name, expression } },
    );
    expect(res.errors).toBeUndefined();
    return res.data!.segmentCreate;
  }

  /** Every page of a connection, following endCursor. */
  async function allPages(fetchPage: (after: string | null) => Promise<Page>) {
    const ids: string[] = [];
    let after: string | null = null;
    let total = -1;
    for (;;) {
      const page = await fetchPage(after);
      total = page.totalCount;
      ids.push(...page.nodes.map((n) => n.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    return { ids, total };
  }

  const segmentPage = (id: string) => async (after: string | null) => {
    const res = await stack.graphql<{ segment: { size: number; members: Page } }>(
      `query ($id: ID!, $after: String) {
        segment(id: $id) { size members(first: 40, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { id } } }
      }`,
      { id, after },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.segment.size).toBe(res.data!.segment.members.totalCount);
    return res.data!.segment.members;
  };

  const expressions: [string, Expression][] = [
    ['mocha viewers', { tag: 'viewed:WEY-MOCHA-2024' }],
    ['shanghai haval owners', { and: [{ city: 'Shanghai' }, { ownsBrand: 'Haval' }] }],
    [
      'young or campaign, sms ok, not beijing',
      {
        and: [
          { or: [{ tag: 'age:under-30' }, { tag: 'test-drive-campaign:TANK-SPRING' }] },
          { consent: 'MARKETING_SMS' },
          { not: { city: 'Beijing' } },
        ],
      },
    ],
    ['nobody', { and: [{ tag: 'viewed:WEY-MOCHA-2024' }, { not: { tag: 'viewed:WEY-MOCHA-2024' } }] }],
  ];

  it('size and members agree with a brute-force evaluation of the expression', async () => {
    for (const [name, expression] of expressions) {
      const { segment, userErrors } = await createSegment(name, expression);
      expect(userErrors).toEqual([]);
      const expected = everyone.filter((p) => matches(p, expression)).map((p) => p.id);
      const { ids, total } = await allPages(segmentPage(segment!.id));
      expect(total, name).toBe(expected.length);
      expect(ids, name).toEqual(expected);
    }
    expect(everyone.filter((p) => matches(p, expressions[0]![1])).length).toBeGreaterThan(50);
  });

  it('counts and pages every segment in a list with the same statements for 1 segment as for 5', async () => {
    const list = `query ($first: Int) { segments(first: $first) { nodes { name size members(first: 3) { nodes { id displayName } } } } }`;
    const counter = stack.databases.customer.counter;
    counter.reset();
    const one = await stack.graphql<{ segments: { nodes: unknown[] } }>(list, { first: 1 });
    const single = counter.requestCount;
    counter.reset();
    const many = await stack.graphql<{ segments: { nodes: { name: string; size: number }[] } }>(list, {
      first: 5,
    });
    expect(one.data!.segments.nodes).toHaveLength(1);
    expect(many.data!.segments.nodes.length).toBeGreaterThanOrEqual(4);
    expect(counter.requestCount).toBe(single);
    for (const s of many.data!.segments.nodes) {
      const expression = expressions.find(([n]) => n === s.name)?.[1];
      if (expression) expect(s.size).toBe(everyone.filter((p) => matches(p, expression)).length);
    }
  });

  it('rejects invalid expressions with the path of the offending node', async () => {
    const { segment, userErrors } = await createSegment('bad', {
      and: [{ tag: 'a', city: 'Beijing' } as unknown as Expression, { or: [] }, { not: { tag: '  ' } }],
    });
    expect(segment).toBeNull();
    expect(userErrors.map((e) => [e.field, e.code])).toEqual([
      ['input.expression.and[0]', 'EXPRESSION_NODE_INVALID'],
      ['input.expression.and[1].or', 'EXPRESSION_EMPTY'],
      ['input.expression.and[2].not.tag', 'VALUE_INVALID'],
    ]);
    const taken = await createSegment('mocha viewers', { tag: 'x' });
    expect(taken.userErrors.map((e) => e.code)).toEqual(['NAME_TAKEN']);
  });

  it('a marketing export holds only members with that channel consent, and a withdrawal applies at once', async () => {
    const { segment } = await createSegment('mocha export', { tag: 'viewed:WEY-MOCHA-2024' });
    const members = everyone.filter((p) => p.tags.has('viewed:WEY-MOCHA-2024'));
    const withSms = members.filter((p) => p.granted.has('MARKETING_SMS'));
    expect(withSms.length).toBeGreaterThan(0);
    expect(withSms.length).toBeLessThan(members.length);

    const exported = await stack.graphql<{
      segmentExport: { export: { id: string; size: number; channel: string } };
    }>(
      `mutation ($input: SegmentExportInput!) { segmentExport(input: $input) { export { id size channel } userErrors { code } } }`,
      { input: { segmentId: segment!.id, channel: 'SMS' } },
    );
    const exportId = exported.data!.segmentExport.export.id;
    expect(exported.data!.segmentExport.export.size).toBe(withSms.length);
    const exportPage = async (after: string | null) => {
      const res = await stack.graphql<{ segmentExport: { members: Page } }>(
        `query ($id: ID!, $after: String) {
          segmentExport(id: $id) { members(first: 25, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { id } } }
        }`,
        { id: exportId, after },
      );
      return res.data!.segmentExport.members;
    };
    expect((await allPages(exportPage)).ids).toEqual(withSms.map((p) => p.id));

    // One member withdraws SMS marketing, one without it grants it: the export follows at once.
    const [leaver] = withSms;
    const joiner = members.find((p) => !p.granted.has('MARKETING_SMS'))!;
    for (const [p, granted] of [
      [leaver!, false],
      [joiner, true],
    ] as const) {
      const res = await stack.graphql<{
        consentUpdate: { userErrors: unknown[]; customer: { consents: unknown[] } };
      }>(
        `mutation ($input: ConsentUpdateInput!) {
          consentUpdate(input: $input) { customer { consents { purpose granted } } userErrors { field code } }
        }`,
        {
          input: {
            customerId: p.id,
            source: 'APP',
            consents: [{ purpose: 'MARKETING_SMS', granted }],
            note: 'app settings',
          },
        },
      );
      expect(res.data!.consentUpdate.userErrors).toEqual([]);
      expect(res.data!.consentUpdate.customer.consents).toContainEqual({ purpose: 'MARKETING_SMS', granted });
    }
    const after = (await allPages(exportPage)).ids;
    expect(after).not.toContain(leaver!.id);
    expect(after).toContain(joiner.id);
    expect(after).toHaveLength(withSms.length);
    const push = await stack.graphql<{ segmentExport: { export: { size: number } } }>(
      `mutation ($input: SegmentExportInput!) { segmentExport(input: $input) { export { size } userErrors { code } } }`,
      { input: { segmentId: segment!.id, channel: 'PUSH' } },
    );
    expect(push.data!.segmentExport.export.size).toBe(
      members.filter((p) => p.granted.has('MARKETING_PUSH')).length,
    );

    const history = await stack.graphql<{
      customer: {
        consentHistory: {
          totalCount: number;
          nodes: { purpose: string; granted: boolean; origin: string; note: string }[];
        };
      };
    }>(
      `query ($id: ID!) { customer(id: $id) { consentHistory(first: 5) { totalCount nodes { purpose granted origin note } } } }`,
      { id: leaver!.id },
    );
    expect(history.data!.customer.consentHistory.nodes[0]).toEqual({
      purpose: 'MARKETING_SMS',
      granted: false,
      origin: 'DIRECT',
      note: 'app settings',
    });
  });

  it('finds customers by dealer relationship and by any identity', async () => {
    const search = async (filter: Record<string, unknown>) => {
      const res = await stack.graphql<{ customers: { totalCount: number; nodes: { id: string }[] } }>(
        `query ($filter: CustomerFilter) { customers(filter: $filter, first: 100) { totalCount nodes { id } } }`,
        { filter },
      );
      expect(res.errors).toBeUndefined();
      return res.data!.customers;
    };
    const db = stack.dbs.customer;
    const [someone] = await db
      .select()
      .from(customerSchema.customers)
      .where(and(isNull(customerSchema.customers.mergedInto)))
      .limit(1);
    const dealer = someone!.preferredDealerCode!;
    const preferred = await db
      .select({ id: customerSchema.customers.id })
      .from(customerSchema.customers)
      .where(eq(customerSchema.customers.preferredDealerCode, dealer));
    const byDealer = await search({ dealerCode: dealer });
    expect(byDealer.totalCount).toBe(preferred.length);

    // A service visit at that dealer by someone who prefers another one arrives through the projection.
    const outsider = everyone.find((p) => !preferred.some((x) => x.id === p.id))!;
    await upsertDealerRelationships(db, [
      { customerId: outsider.id, dealerCode: dealer, kind: 'SERVICE', at: new Date() },
    ]);
    const widened = await search({ dealerCode: dealer });
    expect(widened.totalCount).toBe(preferred.length + 1);
    expect(widened.nodes.map((n) => n.id)).toContain(outsider.id);

    const withId = (
      await db.select().from(customerSchema.customers).where(isNull(customerSchema.customers.mergedInto))
    ).find((c) => c.nationalIdCipher)!;
    const nationalId = testPii.decrypt(withId.nationalIdCipher!);
    expect((await search({ identity: nationalId.toLowerCase() })).nodes.map((n) => n.id)).toEqual([
      withId.id,
    ]);
    const spaced = `+86 ${withId.phone!.slice(0, 3)} ${withId.phone!.slice(3, 7)} ${withId.phone!.slice(7)}`;
    expect((await search({ identity: spaced })).nodes.map((n) => n.id)).toEqual([withId.id]);
    const [external] = await db
      .select()
      .from(customerSchema.identities)
      .where(
        and(
          eq(customerSchema.identities.customerId, withId.id),
          eq(customerSchema.identities.kind, 'EXTERNAL_ID'),
        ),
      );
    expect((await search({ identity: external!.valueKey })).nodes.map((n) => n.id)).toEqual([withId.id]);
    expect((await search({ identity: 'nobody-has-this' })).totalCount).toBe(0);
  });

  it("keeps segments, exports, merges and events to HQ roles, and consent statements to a dealer's own customers", async () => {
    const [someone] = await stack.dbs.customer
      .select()
      .from(customerSchema.customers)
      .where(isNull(customerSchema.customers.mergedInto))
      .limit(1);
    const otherDealer = `${someone!.preferredDealerCode}-OTHER`;
    const dealer = await authHeader({ role: 'dealer_manager', dealer: otherDealer });
    const denied = async (query: string, variables: Record<string, unknown>) => {
      const res = await stack.graphql(query, variables, dealer);
      return res.errors?.map((e) => e.extensions?.code);
    };
    expect(
      await denied(
        `mutation ($input: SegmentCreateInput!) { segmentCreate(input: $input) { userErrors { code } } }`,
        {
          input: { name: 'dealer try', expression: { city: 'Beijing' } },
        },
      ),
    ).toEqual(['FORBIDDEN']);
    expect(await denied(`query { segments { totalCount } }`, {})).toEqual(['FORBIDDEN']);
    expect(
      await denied(
        `mutation ($input: CustomerUnmergeInput!) { customerUnmerge(input: $input) { userErrors { code } } }`,
        {
          input: { mergeId: '00000000-0000-4000-8000-000000000001' },
        },
      ),
    ).toEqual(['FORBIDDEN']);
    expect(
      await denied(
        `mutation ($input: ConsentUpdateInput!) { consentUpdate(input: $input) { userErrors { code } } }`,
        {
          input: {
            customerId: someone!.id,
            source: 'DMS',
            consents: [{ purpose: 'MARKETING_SMS', granted: true }],
          },
        },
      ),
    ).toEqual(['FORBIDDEN']);
  });
});
