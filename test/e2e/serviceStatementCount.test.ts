import { randomUUID } from 'node:crypto';
import { schema as customerSchema } from '@cx/customer';
import { subgraphNames } from '@cx/platform';
import { schema as salesSchema } from '@cx/sales';
import { schema as serviceSchema } from '@cx/service';
import { schema as vehicleSchema } from '@cx/vehicle';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { models } from '../../bench/src/catalog.ts';
import { vinFor } from '../../bench/src/dataset.ts';
import { startTestStack, type TestStack } from '../helpers/testStack.ts';

const DAY = 86_400_000;
const base = new Date('2026-09-01T02:00:00Z');

/** The new service and vehicle list fields, nested under every vehicle of a customer. */
const customerQuery = `query ($id: ID!) {
  customer(id: $id) {
    vehicles {
      vin mileageKm
      mileageReadings(first: 3) { totalCount nodes { km source } }
      serviceHistory(first: 5) {
        totalCount
        nodes {
          id status openedAt dealer { code name }
          lines { kind amount { amount } }
          timeline { from to actor at }
          warrantyClaims { status amount { amount } vehicle { vin } }
        }
      }
    }
    appointments(first: 10) { totalCount nodes { slotStart vehicle { vin mileageKm } dealer { code name } } }
    roadsideCases(first: 10) { totalCount nodes { kind vehicle { vin model { name } } } }
    careReminders(first: 10) { totalCount nodes { kind vehicle { vin model { name } } dealer { code name } } }
    complaints(first: 10) { totalCount nodes { severity sla { acknowledgeBreached } repairOrder { id status } } }
  }
}`;

/** The dealer-level lists, each node reaching into vehicle and sales. */
const dealerQuery = `query ($dealer: String!, $from: DateTime!, $to: DateTime!) {
  appointments(dealerCode: $dealer, from: $from, to: $to, first: 50) {
    totalCount nodes { vehicle { vin mileageKm model { name } } customer { id displayName } dealer { name } }
  }
  careReminders(dealerCode: $dealer, first: 50) { totalCount nodes { vehicle { vin mileageKm } customer { displayName } } }
  complaintsBreachingSla(dealerCode: $dealer, first: 50) { totalCount nodes { customer { displayName } repairOrder { status } } }
}`;

describe('no N+1 in the service and vehicle list fields', () => {
  let stack: TestStack;
  let serial = 0;

  beforeAll(async () => {
    stack = await startTestStack('service_statements');
    await stack.dbs.vehicle.insert(vehicleSchema.models).values(models.map((m) => ({ ...m })));
  });
  afterAll(async () => {
    await stack?.stop();
  });

  /** A customer at their own dealer with `vehicles` vehicles, each with `orders` repair orders and all the rest. */
  async function customerWith(vehicles: number, orders: number) {
    serial += 1;
    const id = randomUUID();
    const dealer = `ST${serial}`;
    await stack.dbs.customer
      .insert(customerSchema.customers)
      .values({ id, displayName: `Shape ${serial}`, city: 'Wuhan' });
    await stack.dbs.sales.insert(salesSchema.dealers).values({
      code: dealer,
      name: `Dealer ${serial}`,
      city: 'Wuhan',
      province: 'Hubei',
      region: 'CENTRAL',
    });
    for (let v = 0; v < vehicles; v += 1) {
      const model = models[v % models.length]!;
      const vin = vinFor(model, 2024, 800_000 + serial * 100 + v);
      await stack.dbs.vehicle.insert(vehicleSchema.vehicles).values({ vin, modelCode: model.code });
      await stack.dbs.vehicle
        .insert(vehicleSchema.ownerships)
        .values({ vin, customerId: id, startedAt: base });
      await stack.dbs.vehicle.insert(vehicleSchema.mileageReadings).values(
        Array.from({ length: 4 }, (_, i) => ({
          vin,
          km: 1000 * (i + 1),
          source: 'TELEMATICS' as const,
          readAt: new Date(base.getTime() + i * DAY),
        })),
      );
      const ros = await stack.dbs.service
        .insert(serviceSchema.repairOrders)
        .values(
          Array.from({ length: orders }, (_, r) => ({
            dealerCode: dealer,
            externalId: `RO-${serial}-${v}-${r}`,
            vin,
            customerId: id,
            status: 'SETTLED' as const,
            openedAt: new Date(base.getTime() + r * DAY),
          })),
        )
        .returning();
      for (const ro of ros) {
        await stack.dbs.service.insert(serviceSchema.repairOrderLines).values([
          {
            repairOrderId: ro.id,
            position: 0,
            kind: 'LABOR',
            description: 'Labor',
            quantity: '1',
            unitPrice: '200',
          },
          {
            repairOrderId: ro.id,
            position: 1,
            kind: 'PART',
            description: 'Filter',
            quantity: '2',
            unitPrice: '50',
          },
        ]);
        await stack.dbs.service.insert(serviceSchema.repairOrderEvents).values([
          { repairOrderId: ro.id, toStatus: 'OPEN', source: 'INGEST', actor: 'dms', occurredAt: ro.openedAt },
          {
            repairOrderId: ro.id,
            fromStatus: 'OPEN',
            toStatus: 'SETTLED',
            source: 'API',
            actor: 'advisor',
            occurredAt: ro.openedAt,
          },
        ]);
        await stack.dbs.service.insert(serviceSchema.warrantyClaims).values({
          repairOrderId: ro.id,
          vin,
          description: 'Leak',
          amount: '300',
          filedAt: ro.openedAt,
          filedBy: 'advisor',
        });
      }
      await stack.dbs.service.insert(serviceSchema.appointments).values({
        customerId: id,
        vin,
        dealerCode: dealer,
        slotStart: new Date(base.getTime() + (v + 1) * DAY),
        slotEnd: new Date(base.getTime() + (v + 1) * DAY + 3_600_000),
        channel: 'APP',
        bookedAt: base,
        bookedBy: 'app',
      });
      await stack.dbs.service.insert(serviceSchema.roadsideCases).values({
        customerId: id,
        vin,
        kind: 'BATTERY',
        location: 'Home',
        status: 'CLOSED',
        openedAt: new Date(base.getTime() + v * DAY),
        openedBy: 'call-center',
      });
      await stack.dbs.service.insert(serviceSchema.careReminders).values({
        vin,
        customerId: id,
        dealerCode: dealer,
        kind: 'PERIODIC_MAINTENANCE',
        duePeriod: 'P1',
        dueAt: new Date(base.getTime() + v * DAY),
        reason: 'service 1 due',
        createdAt: base,
      });
      await stack.dbs.service.insert(serviceSchema.complaints).values({
        customerId: id,
        dealerCode: dealer,
        repairOrderId: ros[0]!.id,
        severity: 'HIGH',
        description: 'Slow',
        openedAt: new Date(base.getTime() - 10 * DAY),
      });
    }
    return { id, dealer };
  }

  async function statements(query: string, variables: Record<string, unknown>) {
    for (const n of subgraphNames) stack.databases[n].counter.reset();
    const res = await stack.graphql<Record<string, unknown>>(query, variables);
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    return {
      data: res.data!,
      counts: Object.fromEntries(subgraphNames.map((n) => [n, stack.databases[n].counter.requestCount])),
    };
  }

  it('costs the same for 1 vehicle as for 20 vehicles with 6 repair orders each', async () => {
    const small = await customerWith(1, 1);
    const large = await customerWith(20, 6);
    const a = await statements(customerQuery, { id: small.id });
    const b = await statements(customerQuery, { id: large.id });
    const customer = b.data.customer as {
      vehicles: {
        serviceHistory: { totalCount: number; nodes: { timeline: unknown[]; warrantyClaims: unknown[] }[] };
      }[];
      appointments: { totalCount: number };
      careReminders: { totalCount: number };
    };
    expect(customer.vehicles).toHaveLength(20);
    expect(customer.vehicles.every((v) => v.serviceHistory.totalCount === 6)).toBe(true);
    expect(
      customer.vehicles.every((v) =>
        v.serviceHistory.nodes.every((n) => n.timeline.length === 2 && n.warrantyClaims.length === 1),
      ),
    ).toBe(true);
    expect(customer.appointments.totalCount).toBe(20);
    expect(customer.careReminders.totalCount).toBe(20);
    console.log('customer view, statements per subgraph, 1 vehicle:', a.counts, '20 vehicles:', b.counts);
    expect(b.counts).toEqual(a.counts);
    // One statement per loader batch: service answers 8 list fields (5 connections: page and count)
    // and 1 reference, 14 in all; vehicle answers once for the customer and once per gateway entity fetch.
    expect(b.counts.service).toBe(14);
    for (const n of subgraphNames) expect(b.counts[n]).toBeLessThanOrEqual(14);
  });

  it('costs the same for a dealer list of 1 as of 20, nested fields included', async () => {
    const small = await customerWith(1, 1);
    const large = await customerWith(20, 1);
    const window = { from: base.toISOString(), to: new Date(base.getTime() + 60 * DAY).toISOString() };
    const a = await statements(dealerQuery, { dealer: small.dealer, ...window });
    const b = await statements(dealerQuery, { dealer: large.dealer, ...window });
    const data = b.data as Record<string, { totalCount: number }>;
    expect(data.appointments!.totalCount).toBe(20);
    expect(data.careReminders!.totalCount).toBe(20);
    // The complaints were opened ten days before `base`, and the real clock is later still: all breach.
    expect(data.complaintsBreachingSla!.totalCount).toBe(20);
    console.log('dealer lists, statements per subgraph, 1 row:', a.counts, '20 rows:', b.counts);
    expect(b.counts).toEqual(a.counts);
    for (const n of subgraphNames) expect(b.counts[n]).toBeLessThanOrEqual(12);
  });
});
