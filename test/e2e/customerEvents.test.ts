import { schema as vehicleSchema } from '@cx/vehicle';
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
});
