import { schema as customerSchema } from '@cx/customer';
import { schema as feedbackSchema } from '@cx/feedback';
import { subgraphNames } from '@cx/platform';
import { schema as salesSchema } from '@cx/sales';
import { schema as serviceSchema } from '@cx/service';
import { schema as vehicleSchema } from '@cx/vehicle';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { models } from '../../bench/src/catalog.ts';
import { vinFor } from '../../bench/src/dataset.ts';
import { Random } from '../../bench/src/random.ts';
import { contractOperation } from '../helpers/contract.ts';
import { startTestStack, type TestStack } from '../helpers/testStack.ts';

const customer360 = contractOperation('customer360.graphql');
const rnd = new Random(99);

/** Inserts a customer with `vehicles` vehicles, each with `ordersPerVehicle` repair orders, and lists around them. */
async function insertCustomer(
  stack: TestStack,
  shape: { vehicles: number; repairOrdersPerVehicle: number; serial: number },
) {
  const id = rnd.uuid();
  await stack.dbs.vehicle
    .insert(vehicleSchema.models)
    .values(models.map((m) => ({ ...m })))
    .onConflictDoNothing();
  const now = new Date('2026-10-01T00:00:00Z');
  await stack.dbs.customer
    .insert(customerSchema.customers)
    .values({ id, displayName: `Shape ${shape.vehicles}`, phone: '13912345678', city: 'Beijing' });
  await stack.dbs.customer.insert(customerSchema.identities).values({
    customerId: id,
    kind: 'PHONE',
    source: 'APP',
    valueKey: `139${shape.serial}`,
    display: '13912345678',
    verified: true,
  });
  await stack.dbs.customer
    .insert(customerSchema.tags)
    .values({ customerId: id, key: 'city:Beijing', label: 'Lives in Beijing', kind: 'FACT' });
  await stack.dbs.customer
    .insert(customerSchema.consents)
    .values({ customerId: id, purpose: 'MARKETING_SMS', granted: true, source: 'APP' });
  await stack.dbs.sales
    .insert(salesSchema.dealers)
    .values({
      code: `T${shape.serial}`,
      name: 'Test Dealer',
      city: 'Beijing',
      province: 'Beijing',
      region: 'NORTH',
    })
    .onConflictDoNothing();
  const consultantId = rnd.uuid();
  await stack.dbs.sales
    .insert(salesSchema.consultants)
    .values({ id: consultantId, dealerCode: `T${shape.serial}`, name: 'Consultant' });
  for (let v = 0; v < shape.vehicles; v += 1) {
    const model = models[v % models.length]!;
    const vin = vinFor(model, 2024, 900_000 + shape.serial * 100 + v);
    await stack.dbs.vehicle.insert(vehicleSchema.vehicles).values({ vin, modelCode: model.code });
    await stack.dbs.vehicle
      .insert(vehicleSchema.ownerships)
      .values({ vin, customerId: id, startedAt: new Date(now.getTime() - v * 86_400_000) });
    await stack.dbs.vehicle
      .insert(vehicleSchema.mileageReadings)
      .values({ vin, km: 1000 + v, source: 'TELEMATICS', readAt: now });
    await stack.dbs.service.insert(serviceSchema.repairOrders).values(
      Array.from({ length: shape.repairOrdersPerVehicle }, (_, r) => ({
        dealerCode: `T${shape.serial}`,
        externalId: `RO-${shape.serial}-${v}-${r}`,
        vin,
        customerId: id,
        status: 'DELIVERED' as const,
        totalAmount: '500.00',
        openedAt: new Date(now.getTime() - r * 86_400_000),
      })),
    );
    await stack.dbs.sales.insert(salesSchema.leads).values({
      customerId: id,
      dealerCode: `T${shape.serial}`,
      consultantId,
      modelCode: model.code,
      source: 'APP',
      status: 'WON',
    });
    await stack.dbs.sales.insert(salesSchema.salesOrders).values({
      customerId: id,
      dealerCode: `T${shape.serial}`,
      vin,
      modelCode: model.code,
      totalAmount: '150000.00',
    });
    await stack.dbs.service.insert(serviceSchema.complaints).values({
      customerId: id,
      dealerCode: `T${shape.serial}`,
      severity: 'LOW',
      description: 'Noise',
      openedAt: now,
    });
    await stack.dbs.feedback.insert(feedbackSchema.surveyResponses).values({
      customerId: id,
      dealerCode: `T${shape.serial}`,
      kind: 'NPS',
      touchpoint: 'DELIVERY',
      score: 9,
      respondedAt: now,
    });
  }
  return id;
}

describe('SQL statements per subgraph for the 360 query', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack('statements');
  });
  afterAll(async () => {
    await stack?.stop();
  });

  async function statementsFor(id: string) {
    for (const n of subgraphNames) stack.databases[n].counter.reset();
    const res = await stack.graphql<{ customer: { vehicles: { serviceHistory: { totalCount: number } }[] } }>(
      customer360,
      { id },
    );
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    return {
      counts: Object.fromEntries(subgraphNames.map((n) => [n, stack.databases[n].counter.requestCount])),
      data: res.data!,
    };
  }

  it('is the same for 1 vehicle as for 20 vehicles with many repair orders each', async () => {
    const small = await insertCustomer(stack, { vehicles: 1, repairOrdersPerVehicle: 1, serial: 1 });
    const large = await insertCustomer(stack, { vehicles: 20, repairOrdersPerVehicle: 12, serial: 2 });
    const a = await statementsFor(small);
    const b = await statementsFor(large);
    expect(b.data.customer.vehicles).toHaveLength(20);
    expect(b.data.customer.vehicles.every((v) => v.serviceHistory.totalCount === 12)).toBe(true);
    console.log('statements per subgraph, 1 vehicle:', a.counts, '20 vehicles:', b.counts);
    expect(b.counts).toEqual(a.counts);
    // Bounded in absolute terms too: one statement per loader batch.
    for (const n of subgraphNames) expect(b.counts[n]).toBeLessThanOrEqual(8);
  });
});
