import { schema as customerSchema } from '@cx/customer';
import { schema as feedbackSchema } from '@cx/feedback';
import { maskPhone } from '@cx/platform/domain/phone';
import { schema as salesSchema } from '@cx/sales';
import { schema as serviceSchema } from '@cx/service';
import { schema as vehicleSchema } from '@cx/vehicle';
import { and, count, desc, eq, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractOperation } from '../helpers/contract.ts';
import { type GraphQLResult, startTestStack, type TestStack } from '../helpers/testStack.ts';

const customer360 = contractOperation('customer360.graphql');

interface Customer360 {
  customer: {
    id: string;
    displayName: string;
    phone: string | null;
    city: string | null;
    identities: { kind: string; value: string; source: string; verified: boolean }[];
    tags: { key: string; label: string; kind: string }[];
    consents: { purpose: string; granted: boolean; updatedAt: string }[];
    vehicles: {
      vin: string;
      model: { brand: string; series: string; name: string; modelYear: number; powertrain: string };
      purchasedAt: string;
      mileageKm: number | null;
      serviceHistory: {
        totalCount: number;
        nodes: {
          id: string;
          status: string;
          openedAt: string;
          closedAt: string | null;
          dealer: { code: string; name: string };
          totalAmount: { amount: string; currency: string };
        }[];
      };
    }[];
    leads: {
      totalCount: number;
      nodes: {
        id: string;
        status: string;
        source: string;
        interestedModel: { name: string } | null;
        assignedConsultant: { id: string; name: string; dealer: { code: string; name: string } } | null;
      }[];
    };
    orders: {
      totalCount: number;
      nodes: {
        id: string;
        status: string;
        vehicle: { vin: string } | null;
        totalAmount: { amount: string };
      }[];
    };
    complaints: { totalCount: number; nodes: { id: string; status: string; severity: string }[] };
    surveyResponses: { totalCount: number; nodes: { kind: string; score: number; touchpoint: string }[] };
  } | null;
}

interface PageResult {
  vehicle: {
    serviceHistory: {
      totalCount: number;
      pageInfo: { hasNextPage: boolean; endCursor: string };
      nodes: { id: string }[];
    };
  };
}

describe('the contract 360 query through the gateway', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack('c360', { customers: 120 });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  /** A seeded customer that has vehicles, repair orders, leads, orders, a complaint and a survey. */
  async function richCustomerId(): Promise<string> {
    const withComplaint = await stack.dbs.service
      .select({ customerId: serviceSchema.complaints.customerId })
      .from(serviceSchema.complaints)
      .orderBy(serviceSchema.complaints.customerId)
      .limit(1);
    return withComplaint[0]!.customerId;
  }

  it('returns what the five subgraphs hold for the customer', async () => {
    const id = await richCustomerId();
    const res = await stack.graphql<Customer360>(customer360, { id });
    expect(res.errors).toBeUndefined();
    const c = res.data!.customer!;

    const [profile] = await stack.dbs.customer
      .select()
      .from(customerSchema.customers)
      .where(eq(customerSchema.customers.id, id));
    expect(c.displayName).toBe(profile!.displayName);
    expect(c.city).toBe(profile!.city);
    // PII is masked by default.
    expect(c.phone).toBe(maskPhone(profile!.phone!));
    expect(c.phone).toMatch(/^1\d{2}\*{4}\d{4}$/);
    const identities = await stack.dbs.customer
      .select()
      .from(customerSchema.identities)
      .where(eq(customerSchema.identities.customerId, id));
    expect(c.identities.map((i) => i.kind).sort()).toEqual(identities.map((i) => i.kind).sort());
    expect(c.identities.find((i) => i.kind === 'NATIONAL_ID')?.value ?? '****').toMatch(/^\*+\w{0,4}$/);
    const tags = await stack.dbs.customer
      .select()
      .from(customerSchema.tags)
      .where(eq(customerSchema.tags.customerId, id));
    expect(c.tags.map((t) => t.key).sort()).toEqual(tags.map((t) => t.key).sort());
    const consents = await stack.dbs.customer
      .select()
      .from(customerSchema.consents)
      .where(eq(customerSchema.consents.customerId, id));
    expect(c.consents.map((x) => `${x.purpose}:${x.granted}`).sort()).toEqual(
      consents.map((x) => `${x.purpose}:${x.granted}`).sort(),
    );

    const owned = await stack.dbs.vehicle
      .select()
      .from(vehicleSchema.ownerships)
      .where(and(eq(vehicleSchema.ownerships.customerId, id), isNull(vehicleSchema.ownerships.endedAt)))
      .orderBy(desc(vehicleSchema.ownerships.startedAt));
    expect(owned.length).toBeGreaterThan(0);
    expect(c.vehicles.map((v) => v.vin)).toEqual(owned.map((o) => o.vin));
    for (const v of c.vehicles) {
      const [vehicle] = await stack.dbs.vehicle
        .select()
        .from(vehicleSchema.vehicles)
        .where(eq(vehicleSchema.vehicles.vin, v.vin));
      const [model] = await stack.dbs.vehicle
        .select()
        .from(vehicleSchema.models)
        .where(eq(vehicleSchema.models.code, vehicle!.modelCode));
      expect(v.model).toEqual({
        brand: model!.brand,
        series: model!.series,
        name: model!.name,
        modelYear: model!.modelYear,
        powertrain: model!.powertrain,
      });
      const [latest] = await stack.dbs.vehicle
        .select()
        .from(vehicleSchema.mileageReadings)
        .where(eq(vehicleSchema.mileageReadings.vin, v.vin))
        .orderBy(desc(vehicleSchema.mileageReadings.readAt))
        .limit(1);
      expect(v.mileageKm).toBe(latest?.km ?? null);
      const ros = await stack.dbs.service
        .select()
        .from(serviceSchema.repairOrders)
        .where(eq(serviceSchema.repairOrders.vin, v.vin))
        .orderBy(desc(serviceSchema.repairOrders.openedAt), desc(serviceSchema.repairOrders.id));
      expect(v.serviceHistory.totalCount).toBe(ros.length);
      expect(v.serviceHistory.nodes.map((n) => n.id)).toEqual(ros.slice(0, 5).map((r) => r.id));
      for (const [i, node] of v.serviceHistory.nodes.entries()) {
        expect(node.totalAmount).toEqual({ amount: Number(ros[i]!.totalAmount).toFixed(2), currency: 'CNY' });
        const [dealer] = await stack.dbs.sales
          .select()
          .from(salesSchema.dealers)
          .where(eq(salesSchema.dealers.code, ros[i]!.dealerCode));
        expect(node.dealer).toEqual({ code: dealer!.code, name: dealer!.name });
      }
    }

    const leads = await stack.dbs.sales
      .select()
      .from(salesSchema.leads)
      .where(eq(salesSchema.leads.customerId, id))
      .orderBy(desc(salesSchema.leads.createdAt), desc(salesSchema.leads.id));
    expect(c.leads.totalCount).toBe(leads.length);
    expect(c.leads.nodes.map((l) => [l.id, l.status, l.source])).toEqual(
      leads.slice(0, 5).map((l) => [l.id, l.status, l.source]),
    );
    for (const [i, node] of c.leads.nodes.entries()) {
      const [consultant] = await stack.dbs.sales
        .select()
        .from(salesSchema.consultants)
        .where(eq(salesSchema.consultants.id, leads[i]!.consultantId!));
      expect(node.assignedConsultant?.name).toBe(consultant!.name);
      expect(node.assignedConsultant?.dealer.code).toBe(consultant!.dealerCode);
      const [model] = await stack.dbs.vehicle
        .select()
        .from(vehicleSchema.models)
        .where(eq(vehicleSchema.models.code, leads[i]!.modelCode!));
      expect(node.interestedModel?.name).toBe(model!.name);
    }
    const orders = await stack.dbs.sales
      .select()
      .from(salesSchema.salesOrders)
      .where(eq(salesSchema.salesOrders.customerId, id))
      .orderBy(desc(salesSchema.salesOrders.createdAt), desc(salesSchema.salesOrders.id));
    expect(c.orders.totalCount).toBe(orders.length);
    expect(c.orders.nodes.map((o) => [o.id, o.vehicle?.vin, o.totalAmount.amount])).toEqual(
      orders.slice(0, 5).map((o) => [o.id, o.vin, Number(o.totalAmount).toFixed(2)]),
    );
    const [complaints] = await stack.dbs.service
      .select({ n: count() })
      .from(serviceSchema.complaints)
      .where(eq(serviceSchema.complaints.customerId, id));
    expect(c.complaints.totalCount).toBe(Number(complaints!.n));
    expect(c.complaints.totalCount).toBeGreaterThan(0);
    const responses = await stack.dbs.feedback
      .select()
      .from(feedbackSchema.surveyResponses)
      .where(eq(feedbackSchema.surveyResponses.customerId, id))
      .orderBy(desc(feedbackSchema.surveyResponses.respondedAt), desc(feedbackSchema.surveyResponses.id));
    expect(c.surveyResponses.nodes.map((r) => [r.kind, r.score, r.touchpoint])).toEqual(
      responses.slice(0, 5).map((r) => [r.kind, r.score, r.touchpoint]),
    );
  });

  it('pages through a long service history with cursors, newest first, without gaps or repeats', async () => {
    const [busiest] = await stack.dbs.service
      .select({ vin: serviceSchema.repairOrders.vin, n: count() })
      .from(serviceSchema.repairOrders)
      .groupBy(serviceSchema.repairOrders.vin)
      .orderBy(desc(count()))
      .limit(1);
    const query = `query($vin: String!, $after: String) { vehicle(vin: $vin) { serviceHistory(first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { id } } } }`;
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 10; page += 1) {
      const res: GraphQLResult<PageResult> = await stack.graphql<PageResult>(query, {
        vin: busiest!.vin,
        after,
      });
      expect(res.errors).toBeUndefined();
      const h: PageResult['vehicle']['serviceHistory'] = res.data!.vehicle.serviceHistory;
      seen.push(...h.nodes.map((n) => n.id));
      if (!h.pageInfo.hasNextPage) break;
      after = h.pageInfo.endCursor;
    }
    const expected = await stack.dbs.service
      .select({ id: serviceSchema.repairOrders.id })
      .from(serviceSchema.repairOrders)
      .where(eq(serviceSchema.repairOrders.vin, busiest!.vin))
      .orderBy(desc(serviceSchema.repairOrders.openedAt), desc(serviceSchema.repairOrders.id));
    expect(seen).toEqual(expected.map((r) => r.id));
  });

  it('gives clear errors for unknown and malformed ids and cursors', async () => {
    const unknown = await stack.graphql<Customer360>(customer360, {
      id: '00000000-0000-4000-8000-000000000000',
    });
    expect(unknown.data?.customer).toBeNull();
    expect(unknown.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const malformed = await stack.graphql<Customer360>(customer360, { id: 'not-an-id' });
    expect(malformed.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(malformed.errors?.[0]?.message).toContain('id');
    const badVin = await stack.graphql(`{ vehicle(vin: "1M8GDM9AYKP042788") { vin } }`);
    expect(badVin.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(badVin.errors?.[0]?.extensions?.reason).toBe('VIN_CHECK_DIGIT');
    const badCursor = await stack.graphql(`{ vehicle(vin: "1M8GDM9AXKP042788") { vin } }`);
    expect(badCursor.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const id = await richCustomerId();
    const cursor = await stack.graphql(
      `query($id: ID!) { customer(id: $id) { leads(first: 1, after: "garbage") { totalCount } } }`,
      { id },
    );
    expect(cursor.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(cursor.errors?.[0]?.message).toContain('after');
    const tooMany = await stack.graphql(
      `query($id: ID!) { customer(id: $id) { leads(first: 1000) { totalCount } } }`,
      { id },
    );
    expect(tooMany.errors?.[0]?.message).toContain('first');
  });

  it('keeps seeded VINs valid and unique', async () => {
    const rows = await stack.dbs.vehicle
      .select({ vin: vehicleSchema.vehicles.vin })
      .from(vehicleSchema.vehicles);
    const { validateVin } = await import('@cx/platform/domain/vin');
    expect(rows.length).toBeGreaterThan(100);
    expect(rows.every((r) => validateVin(r.vin).ok)).toBe(true);
    expect(new Set(rows.map((r) => r.vin)).size).toBe(rows.length);
  });
});
