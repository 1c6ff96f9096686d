import { schema as customerSchema } from '@cx/customer';
import { schema as feedbackSchema } from '@cx/feedback';
import { schema as vehicleSchema } from '@cx/vehicle';
import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { models } from '../../bench/src/catalog.ts';
import { vinFor } from '../../bench/src/dataset.ts';
import { ingest, phoneNo } from '../../subgraphs/customer/test/operations.ts';
import { eventually } from '../helpers/eventually.ts';
import { startTestStack, type TestStack } from '../helpers/testStack.ts';

describe('facts from other subgraphs reach customer tags and segments through events', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack('customer_events');
    await stack.dbs.vehicle
      .insert(vehicleSchema.models)
      .values(models.map((m) => ({ ...m })))
      .onConflictDoNothing();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('a vehicle ingested for a customer makes them an owner of its brand', async () => {
    const { results } = await ingest(stack, [
      { source: 'APP', externalId: 'app-owner', name: 'Ma Liu', phone: phoneNo(808), phoneVerified: true },
    ]);
    const customerId = results[0]!.customer.id;
    const model = models.find((m) => m.brand === 'WEY')!;
    const vehicles = await stack.graphql<{ vehiclesIngest: { userErrors: unknown[] } }>(
      `mutation ($input: VehiclesIngestInput!) { vehiclesIngest(input: $input) { userErrors { index field code } } }`,
      {
        input: {
          records: [
            {
              vin: vinFor(model, 2024, 777_001),
              modelCode: model.code,
              ownerCustomerId: customerId,
              purchasedAt: '2019-03-01T00:00:00Z',
            },
          ],
        },
      },
    );
    expect(vehicles.data!.vehiclesIngest.userErrors).toEqual([]);
    // Events travel after commit, through the vehicle outbox relay and the bus.
    const tags = await eventually(async () => {
      const res = await stack.graphql<{ customer: { tags: { key: string; kind: string }[] } }>(
        `query ($id: ID!) { customer(id: $id) { tags { key kind } } }`,
        { id: customerId },
      );
      const keys = res.data!.customer.tags.map((t) => t.key);
      expect(keys).toContain('owns:WEY');
      return res.data!.customer.tags;
    }, 20_000);
    // A vehicle bought in 2019 and never serviced: maintenance is due, and churn risk shows.
    expect(tags.filter((t) => t.kind === 'PREDICTIVE').map((t) => t.key)).toEqual(
      expect.arrayContaining(['maintenance-due', 'churn-risk:medium']),
    );
    const segment = await stack.graphql<{
      segmentCreate: { segment: { size: number; members: { nodes: { id: string }[] } } };
    }>(
      `mutation { segmentCreate(input: { name: "WEY owners", expression: { ownsBrand: "WEY" } }) {
        segment { size members { nodes { id } } } } }`,
    );
    expect(segment.data!.segmentCreate.segment.members.nodes.map((n) => n.id)).toEqual([customerId]);
  });

  it('consents an ingest batch states reach the feedback subgraph in one event', async () => {
    const person = (n: number, sms: boolean, push: boolean) => ({
      source: 'DMS',
      externalId: `dms-consent-${n}`,
      name: `Consent ${n}`,
      phone: phoneNo(900 + n),
      phoneVerified: true,
      consents: [
        { purpose: 'MARKETING_SMS', granted: sms },
        { purpose: 'MARKETING_PUSH', granted: push },
      ],
    });
    const { results } = await ingest(stack, [
      person(1, false, false),
      person(2, true, false),
      person(3, true, true),
    ]);
    const ids = results.map((r) => r.customer.id);
    const projected = await eventually(async () => {
      const rows = await stack.dbs.feedback
        .select()
        .from(feedbackSchema.consents)
        .where(inArray(feedbackSchema.consents.customerId, ids));
      expect(rows).toHaveLength(6);
      return rows;
    }, 20_000);
    const granted = (id: string, purpose: string) =>
      projected.find((r) => r.customerId === id && r.purpose === purpose)?.granted;
    expect(ids.map((id) => [granted(id, 'MARKETING_SMS'), granted(id, 'MARKETING_PUSH')])).toEqual([
      [false, false],
      [true, false],
      [true, true],
    ]);
    const events = await stack.dbs.customer
      .select({ payload: customerSchema.outbox.payload })
      .from(customerSchema.outbox)
      .where(eq(customerSchema.outbox.topic, 'customer.consent_changes'));
    const naming = events.filter((e) =>
      (e.payload as { customers: { customerId: string }[] }).customers.some((c) =>
        ids.includes(c.customerId),
      ),
    );
    expect(naming).toHaveLength(1);
  });
});
