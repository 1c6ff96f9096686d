import { eq } from 'drizzle-orm';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customerFacts, tags } from '../src/db/schema.ts';
import { createConsumers } from '../src/projections/consumers.ts';
import { upsertCustomerFacts } from '../src/projections/facts.ts';
import { ingest, mergeManually, phoneNo, unmerge } from './operations.ts';
import { type CustomerTestStack, clientOf, daysLater, gql, startCustomerSubgraph } from './support.ts';

interface TagsData {
  customer: { tags: { key: string; kind: string; score: number | null; label: string }[] };
}
const tagsQuery = `query ($id: ID!) { customer(id: $id) { tags { key kind score label } } }`;

describe('fact and predictive tags from the customer_facts projection', () => {
  let stack: CustomerTestStack;
  let a: string;
  let b: string;
  beforeAll(async () => {
    stack = await startCustomerSubgraph();
    const client = clientOf(stack);
    const [first] = (
      await ingest(client, [
        {
          source: 'DMS',
          externalId: 'dms-a',
          name: 'Chen Yi',
          phone: phoneNo(1),
          phoneVerified: true,
          city: 'Wuhan',
        },
      ])
    ).results;
    const [second] = (
      await ingest(client, [
        { source: 'APP', externalId: 'app-b', name: 'Chen Yi', phone: phoneNo(2), phoneVerified: true },
      ])
    ).results;
    a = first!.customer.id;
    b = second!.customer.id;
  });
  afterAll(async () => {
    await stack?.close();
  });

  const tagsOf = async (id: string) => (await gql<TagsData>(stack, tagsQuery, { id })).data!.customer.tags;
  const keysOf = async (id: string, kind: string) =>
    (await tagsOf(id)).filter((t) => t.kind === kind).map((t) => t.key);

  it('turns facts into owned-brand fact tags and scored predictive tags', async () => {
    const now = stack.clock.now;
    await upsertCustomerFacts(
      stack.database.db,
      [
        {
          customerId: a,
          ownedBrands: ['Tank'],
          vehicleSince: daysLater(now, -6 * 365.25),
          mileageKm: 90_000,
          lastServiceAt: daysLater(now, -30),
          lastServiceMileageKm: 88_000,
        },
        { customerId: a, lastNpsScore: 5, lastNpsAt: daysLater(now, -3) },
      ],
      now,
    );
    expect(await keysOf(a, 'FACT')).toEqual(['city:Wuhan', 'owns:Tank']);
    const predictive = (await tagsOf(a)).filter((t) => t.kind === 'PREDICTIVE');
    // Churn: a detractor answer (+30). Trade-in: 6 years old (+40) and 80,000+ km (+15).
    expect(predictive.map((t) => [t.key, t.score])).toEqual([
      ['churn-risk:medium', 30],
      ['trade-in:medium', 55],
    ]);
    // Partial updates keep the other facts.
    const [row] = await stack.database.db.select().from(customerFacts).where(eq(customerFacts.customerId, a));
    expect(row).toMatchObject({ ownedBrands: ['Tank'], mileageKm: 90_000, lastNpsScore: 5 });
  });

  it('re-evaluates time-based rules at the clock of the next refresh', async () => {
    stack.clock.now = daysLater(stack.clock.now, 200);
    await upsertCustomerFacts(stack.database.db, [{ customerId: a, openComplaints: 1 }], stack.clock.now);
    expect(await keysOf(a, 'PREDICTIVE')).toEqual(['churn-risk:high', 'maintenance-due', 'trade-in:medium']);
  });

  it('a merged person carries the facts of both, and unmerge splits them again', async () => {
    await upsertCustomerFacts(stack.database.db, [{ customerId: b, ownedBrands: ['WEY'] }], stack.clock.now);
    expect(await keysOf(b, 'FACT')).toEqual(['owns:WEY']);
    const { merge } = await mergeManually(clientOf(stack), {
      survivorId: a,
      mergedId: b,
      reason: 'same household id',
    });
    expect(await keysOf(a, 'FACT')).toEqual(['city:Wuhan', 'owns:Tank', 'owns:WEY']);
    // A merged-away customer keeps no tags of its own.
    expect(await stack.database.db.select().from(tags).where(eq(tags.customerId, b))).toEqual([]);
    await unmerge(clientOf(stack), merge!.id);
    expect(await keysOf(a, 'FACT')).toEqual(['city:Wuhan', 'owns:Tank']);
    expect(await keysOf(b, 'FACT')).toEqual(['owns:WEY']);
  });

  it("projects other subgraphs' events: complaints counted, older NPS answers ignored, dealers related", async () => {
    const [consumer] = createConsumers(() => stack.clock.now);
    let serial = 0;
    const deliver = (topic: string, payload: Record<string, unknown>) => {
      serial += 1;
      return consumer!.handle(
        {
          id: `00000000-0000-4000-8000-${String(serial).padStart(12, '0')}`,
          topic,
          key: b,
          payload,
          source: 'test',
          position: serial,
          occurredAt: stack.clock.now.toISOString(),
        },
        { db: stack.database.db, logger: pino({ level: 'silent' }) },
      );
    };
    const at = (days: number) => daysLater(stack.clock.now, days).toISOString();
    await deliver('service.complaint_opened', {
      complaintId: 'c1',
      customerId: b,
      dealerCode: 'WH01',
      severity: 'HIGH',
      at: at(-2),
    });
    await deliver('service.complaint_opened', {
      complaintId: 'c2',
      customerId: b,
      dealerCode: 'WH01',
      severity: 'LOW',
      at: at(-1),
    });
    await deliver('service.complaint_resolved', {
      complaintId: 'c1',
      customerId: b,
      dealerCode: 'WH01',
      at: at(0),
    });
    await deliver('feedback.response_received', {
      responseId: 'r2',
      customerId: b,
      dealerCode: 'WH01',
      kind: 'NPS',
      score: 10,
      at: at(-1),
    });
    await deliver('feedback.response_received', {
      responseId: 'r1',
      customerId: b,
      dealerCode: 'WH01',
      kind: 'NPS',
      score: 2,
      at: at(-5),
    });
    await deliver('service.repair_order_closed', {
      repairOrderId: 'ro1',
      customerId: b,
      dealerCode: 'WH02',
      vin: 'LGWEF4A59RA000001',
      firstMaintenance: false,
      at: at(0),
    });
    const [row] = await stack.database.db.select().from(customerFacts).where(eq(customerFacts.customerId, b));
    expect(row).toMatchObject({ openComplaints: 1, lastNpsScore: 10 });
    expect(row!.lastServiceAt?.toISOString()).toBe(at(0));
    const related = await gql<{ customers: { nodes: { id: string }[] } }>(
      stack,
      `query { customers(filter: { dealerCode: "WH02" }) { nodes { id } } }`,
    );
    expect(related.data!.customers.nodes.map((n) => n.id)).toEqual([b]);
    // One complaint still open (+30); the latest NPS answer is a promoter's, so it adds nothing.
    expect(await keysOf(b, 'PREDICTIVE')).toEqual(['churn-risk:medium']);
  });
});
