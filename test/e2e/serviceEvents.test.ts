import { randomUUID } from 'node:crypto';
import type { DomainEvent } from '@cx/platform';
import { schema as serviceSchema } from '@cx/service';
import { schema as vehicleSchema } from '@cx/vehicle';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { models } from '../../bench/src/catalog.ts';
import { vinFor } from '../../bench/src/dataset.ts';
import { eventually } from '../helpers/eventually.ts';
import { startTestStack, type TestStack } from '../helpers/testStack.ts';

const DAY = 86_400_000;
const h6 = models.find((m) => m.code === 'HAVAL-H6-2024')!;
const vin = vinFor(h6, 2024, 650_001);

describe('events between vehicle, sales and service', () => {
  let stack: TestStack;
  const seen: DomainEvent[] = [];
  const owner = randomUUID();

  beforeAll(async () => {
    stack = await startTestStack('service_events');
    await stack.dbs.vehicle.insert(vehicleSchema.models).values(models.map((m) => ({ ...m })));
    await stack.bus.subscribe(
      'test-observer',
      [
        'vehicle.ownership_changed',
        'service.repair_order_closed',
        'service.complaint_opened',
        'service.complaint_resolved',
        'service.roadside_closed',
      ],
      async (event) => {
        seen.push(event);
      },
    );
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const factOf = async () => {
    const [row] = await stack.dbs.service
      .select()
      .from(serviceSchema.vehicleFacts)
      .where(eq(serviceSchema.vehicleFacts.vin, vin));
    return row;
  };

  it('projects an ownership change and a delivery into vehicle_facts, and the reminders follow', async () => {
    const res = await stack.graphql(
      `mutation ($input: VehiclesIngestInput!) { vehiclesIngest(input: $input) { userErrors { code } } }`,
      { input: { records: [{ vin, modelCode: h6.code, ownerCustomerId: owner, dealerCode: 'WH01' }] } },
    );
    expect(res.errors).toBeUndefined();
    const changed = await eventually(() => {
      const e = seen.find((x) => x.topic === 'vehicle.ownership_changed' && x.key === vin);
      expect(e).toBeDefined();
      return e!;
    });
    expect(changed.payload).toMatchObject({ vin, customerId: owner, modelCode: h6.code, brand: 'Haval' });
    await eventually(async () => expect((await factOf())?.customerId).toBe(owner));

    // What sales will publish when it delivers the car.
    const deliveredAt = new Date(Date.now() - 8 * DAY);
    await stack.bus.publish({
      id: randomUUID(),
      topic: 'sales.order_delivered',
      key: randomUUID(),
      payload: {
        orderId: randomUUID(),
        customerId: owner,
        dealerCode: 'WH01',
        vin,
        modelCode: h6.code,
        at: deliveredAt.toISOString(),
      },
      source: 'sales',
      position: 1,
      occurredAt: deliveredAt.toISOString(),
    });
    const fact = await factOf();
    expect(fact).toMatchObject({ customerId: owner, dealerCode: 'WH01', deliveredAt });

    const generated = await stack.graphql<{ careRemindersGenerate: { created: number } }>(
      `mutation ($asOf: DateTime!) { careRemindersGenerate(input: { asOf: $asOf }) { created userErrors { code } } }`,
      { asOf: new Date().toISOString() },
    );
    expect(generated.data!.careRemindersGenerate.created).toBe(1);
    const listed = await stack.graphql<{
      careReminders: { nodes: { kind: string; vehicle: { vin: string }; customer: { id: string } }[] };
    }>(`{ careReminders(dealerCode: "WH01") { nodes { kind vehicle { vin } customer { id } } } }`);
    expect(listed.data!.careReminders.nodes).toEqual([
      { kind: 'DELIVERY_TIPS', vehicle: { vin }, customer: { id: owner } },
    ]);
  });

  it('publishes a closed repair order once, telling whether it was the first maintenance', async () => {
    const ingest = (externalId: string, status: string, openedAt: Date) =>
      stack.graphql<{ repairOrdersIngest: { results: { repairOrder: { id: string } }[] } }>(
        `mutation ($input: RepairOrdersIngestInput!) { repairOrdersIngest(input: $input) { results { repairOrder { id } } userErrors { code } } }`,
        {
          input: {
            records: [
              {
                dealerCode: 'WH01',
                externalId,
                vin,
                customerId: owner,
                status,
                openedAt: openedAt.toISOString(),
              },
            ],
          },
        },
      );
    const first = await ingest('RO-1', 'DELIVERED', new Date(Date.now() - 3 * DAY));
    const firstId = first.data!.repairOrdersIngest.results[0]!.repairOrder.id;
    await ingest('RO-1', 'DELIVERED', new Date(Date.now() - 3 * DAY));
    const second = await ingest('RO-2', 'SETTLED', new Date(Date.now() - DAY));
    const secondId = second.data!.repairOrdersIngest.results[0]!.repairOrder.id;
    const moved = await stack.graphql(
      `mutation ($id: ID!) { repairOrderTransition(input: { repairOrderId: $id, to: DELIVERED }) { userErrors { code } } }`,
      { id: secondId },
    );
    expect(moved.errors).toBeUndefined();
    const closed = await eventually(() => {
      const events = seen.filter((e) => e.topic === 'service.repair_order_closed');
      expect(events).toHaveLength(2);
      return events;
    });
    expect(closed.map((e) => [e.payload.repairOrderId, e.payload.firstMaintenance])).toEqual([
      [firstId, true],
      [secondId, false],
    ]);
    expect(closed[1]!.payload).toMatchObject({ customerId: owner, dealerCode: 'WH01', vin });
  });

  it('publishes complaint and roadside milestones', async () => {
    const opened = await stack.graphql<{ complaintOpen: { complaint: { id: string } } }>(
      `mutation ($c: ID!) { complaintOpen(input: { customerId: $c, severity: HIGH, description: "Noise", dealerCode: "WH01" }) { complaint { id } } }`,
      { c: owner },
    );
    const complaintId = opened.data!.complaintOpen.complaint.id;
    await stack.graphql(
      `mutation ($id: ID!) { complaintResolve(input: { complaintId: $id, resolution: "Fixed the trim" }) { userErrors { code } } }`,
      { id: complaintId },
    );
    const roadside = await stack.graphql<{ roadsideCaseOpen: { roadsideCase: { id: string } } }>(
      `mutation ($c: ID!, $vin: String!) { roadsideCaseOpen(input: { customerId: $c, vin: $vin, kind: BATTERY, location: "Home" }) { roadsideCase { id } } }`,
      { c: owner, vin },
    );
    const caseId = roadside.data!.roadsideCaseOpen.roadsideCase.id;
    await stack.graphql(
      `mutation ($id: ID!) { roadsideCaseClose(input: { roadsideCaseId: $id, resolution: FIXED_ON_SITE }) { userErrors { code } } }`,
      { id: caseId },
    );
    await eventually(() => {
      expect(
        seen
          .filter((e) => e.topic.startsWith('service.complaint_') || e.topic === 'service.roadside_closed')
          .map((e) => [e.topic, e.key]),
      ).toEqual([
        ['service.complaint_opened', complaintId],
        ['service.complaint_resolved', complaintId],
        ['service.roadside_closed', caseId],
      ]);
    });
  });
});
