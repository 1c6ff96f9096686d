import { randomUUID } from 'node:crypto';
import { schema as customerSchema } from '@cx/customer';
import { schema as feedbackSchema } from '@cx/feedback';
import { schema as salesSchema } from '@cx/sales';
import { schema as serviceSchema } from '@cx/service';
import { schema as vehicleSchema } from '@cx/vehicle';
import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { models } from '../../bench/src/catalog.ts';
import { vinFor } from '../../bench/src/dataset.ts';
import { ingest, nationalIdNo, phoneNo } from '../../subgraphs/customer/test/operations.ts';
import { eventually } from '../helpers/eventually.ts';
import { startTestStack, type TestStack } from '../helpers/testStack.ts';
import { authHeader } from '../helpers/tokens.ts';

const DEALER = 'PV001';
const now = new Date('2026-10-01T08:00:00Z');
const model = models[0]!;

interface Seeded {
  vin: string;
  leadId: string;
  orderId: string;
  complaintId: string;
  roadsideId: string;
  appointmentId: string;
  repairOrderId: string;
  responseId: string;
  testDriveId: string;
}

/** Rows about one customer in every subgraph other than customer, with personal free text where it is kept. */
async function seedAround(stack: TestStack, customerId: string, serial: number): Promise<Seeded> {
  const vin = vinFor(model, 2024, 800_000 + serial);
  await stack.dbs.vehicle
    .insert(vehicleSchema.models)
    .values(models.map((m) => ({ ...m })))
    .onConflictDoNothing();
  await stack.dbs.vehicle.insert(vehicleSchema.vehicles).values({ vin, modelCode: model.code });
  await stack.dbs.vehicle.insert(vehicleSchema.ownerships).values({ vin, customerId, startedAt: now });
  await stack.dbs.vehicle
    .insert(vehicleSchema.mileageReadings)
    .values({ vin, km: 1200 + serial, source: 'TELEMATICS', readAt: now });
  await stack.dbs.sales
    .insert(salesSchema.dealers)
    .values({ code: DEALER, name: 'Privacy Motors', city: 'Baoding', province: 'Hebei', region: 'NORTH' })
    .onConflictDoNothing();
  const [lead] = await stack.dbs.sales
    .insert(salesSchema.leads)
    .values({
      customerId,
      dealerCode: DEALER,
      modelCode: model.code,
      source: 'APP',
      city: 'Baoding',
      lostReason: `Bought elsewhere, lives at Lane ${serial}`,
      createdAt: new Date(now.getTime() + serial * 1000),
    })
    .returning();
  const [order] = await stack.dbs.sales
    .insert(salesSchema.salesOrders)
    .values({ customerId, dealerCode: DEALER, vin, modelCode: model.code, totalAmount: '150000.00' })
    .returning();
  const repairOrderId = randomUUID();
  await stack.dbs.sales.insert(salesSchema.leadHandoffs).values({
    leadId: lead!.id,
    repairOrderId,
    customerId,
    reason: 'Owner says his wife wants an SUV',
    createdAt: now,
  });
  const [testDrive] = await stack.dbs.sales
    .insert(salesSchema.testDrives)
    .values({
      leadId: lead!.id,
      customerId,
      dealerCode: DEALER,
      modelCode: model.code,
      slotStart: now,
      slotEnd: new Date(now.getTime() + 3_600_000),
      note: 'Brings his daughter',
      createdAt: now,
    })
    .returning();
  await stack.dbs.sales
    .insert(salesSchema.followUps)
    .values({ leadId: lead!.id, kind: 'CALL', outcome: 'REACHED', note: 'Call after 6pm', at: now });
  await stack.dbs.service.insert(serviceSchema.repairOrders).values({
    id: repairOrderId,
    dealerCode: DEALER,
    externalId: `RO-PRIV-${serial}`,
    vin,
    customerId,
    status: 'DELIVERED',
    totalAmount: '880.00',
    openedAt: now,
  });
  const [complaint] = await stack.dbs.service
    .insert(serviceSchema.complaints)
    .values({
      customerId,
      dealerCode: DEALER,
      severity: 'MEDIUM',
      description: 'Advisor shouted at me, call me on 13900000000',
      resolution: 'Apologised by phone',
      openedAt: now,
    })
    .returning();
  const [roadside] = await stack.dbs.service
    .insert(serviceSchema.roadsideCases)
    .values({
      customerId,
      vin,
      dealerCode: DEALER,
      kind: 'FLAT_TIRE',
      location: 'No. 8 Yuhua Road, Baoding',
      latitude: 38.87,
      longitude: 115.46,
      description: 'Stuck with two kids',
      openedAt: now,
      openedBy: 'test',
      status: 'CLOSED',
    })
    .returning();
  const [appointment] = await stack.dbs.service
    .insert(serviceSchema.appointments)
    .values({
      customerId,
      vin,
      dealerCode: DEALER,
      slotStart: new Date(now.getTime() + serial * 3_600_000),
      slotEnd: new Date(now.getTime() + serial * 3_600_000 + 1_800_000),
      channel: 'APP',
      note: 'Please call my assistant',
      bookedAt: now,
      bookedBy: 'test',
    })
    .returning();
  const [response] = await stack.dbs.feedback
    .insert(feedbackSchema.surveyResponses)
    .values({
      customerId,
      dealerCode: DEALER,
      kind: 'NPS',
      touchpoint: 'DELIVERY',
      score: 4,
      comment: 'My name is Zhang and the car smells',
      respondedAt: now,
    })
    .returning();
  await stack.dbs.feedback
    .insert(feedbackSchema.consents)
    .values({ customerId, purpose: 'MARKETING_SMS', granted: true, changedAt: now })
    // The consent event from the customer subgraph may have projected it already.
    .onConflictDoNothing();
  return {
    vin,
    leadId: lead!.id,
    orderId: order!.id,
    complaintId: complaint!.id,
    roadsideId: roadside!.id,
    appointmentId: appointment!.id,
    repairOrderId,
    responseId: response!.id,
    testDriveId: testDrive!.id,
  };
}

const exportQuery = `mutation ($input: CustomerExportInput!) {
  customerExport(input: $input) {
    export { customerId mergedCustomerIds generatedAt customerData vehicleData salesData serviceData feedbackData }
    userErrors { field code message }
  }
}`;

const eraseMutation = `mutation ($input: CustomerEraseInput!) {
  customerErase(input: $input) {
    created
    erasure { id customer { id } mergedCustomerIds reason requestedBy status subgraphs { subgraph status completedAt } }
    userErrors { field code message }
  }
}`;

const erasureQuery = `query ($id: ID!) {
  customerErasure(customerId: $id) { id status completedAt subgraphs { subgraph status completedAt } }
}`;

const view360 = `query ($id: ID!) {
  customer(id: $id) {
    id
    vehicles { vin }
    leads(first: 50) { totalCount nodes { id } }
    orders(first: 50) { totalCount nodes { id } }
    complaints(first: 50) { totalCount nodes { id } }
    appointments(first: 50) { totalCount nodes { id } }
    surveyResponses(first: 50) { totalCount nodes { id } }
  }
}`;

interface View360 {
  id: string;
  vehicles: { vin: string }[];
  leads: { totalCount: number; nodes: { id: string }[] };
  orders: { totalCount: number; nodes: { id: string }[] };
  complaints: { totalCount: number; nodes: { id: string }[] };
  appointments: { totalCount: number; nodes: { id: string }[] };
  surveyResponses: { totalCount: number; nodes: { id: string }[] };
}

interface Section {
  schemaVersion: number;
  subgraph: string;
  customerIds: string[];
  tables: Record<string, { id?: string; vin?: string }[]>;
}

const ids = (rows: { id?: string }[]) => rows.map((r) => r.id).sort();

describe('PIPL data subject rights and merged-customer aliases across the five subgraphs', () => {
  let stack: TestStack;
  let admin: Record<string, string>;
  let serial = 0;
  beforeAll(async () => {
    stack = await startTestStack('customer_privacy');
    admin = await authHeader({ role: 'hq_admin', sub: 'dpo@hq' });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const person = async (extra: Record<string, unknown> = {}) => {
    serial += 1;
    const { results, userErrors } = await ingest(stack, [
      {
        source: 'APP',
        externalId: `privacy-${serial}`,
        name: `Zhang Privacy ${serial}`,
        phone: phoneNo(700 + serial),
        phoneVerified: true,
        nationalId: nationalIdNo(700 + serial),
        email: `zhang${serial}@example.com`,
        city: 'Baoding',
        consents: [{ purpose: 'MARKETING_SMS', granted: true }],
        ...extra,
      },
    ]);
    expect(userErrors).toEqual([]);
    const id = results[0]!.customer.id;
    return { id, serial, seeded: await seedAround(stack, id, serial) };
  };

  const view = async (id: string) => {
    const res = await stack.graphql<{ customer: View360 }>(view360, { id });
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    return res.data!.customer;
  };

  const merge = async (survivorId: string, mergedId: string) => {
    const res = await stack.graphql<{
      customerMerge: { merge: { id: string } | null; userErrors: unknown[] };
    }>(
      `mutation ($input: CustomerMergeInput!) { customerMerge(input: $input) { merge { id } userErrors { code message } } }`,
      { input: { survivorId, mergedId, reason: 'same person (privacy test)' } },
    );
    expect(res.data?.customerMerge.userErrors, JSON.stringify(res)).toEqual([]);
    return res.data!.customerMerge.merge!.id;
  };

  const unmerge = async (mergeId: string) => {
    const res = await stack.graphql<{ customerUnmerge: { userErrors: unknown[] } }>(
      `mutation ($input: CustomerUnmergeInput!) { customerUnmerge(input: $input) { userErrors { code message } } }`,
      { input: { mergeId } },
    );
    expect(res.data?.customerUnmerge.userErrors, JSON.stringify(res)).toEqual([]);
  };

  it('a survivor’s 360 includes the merged customer’s rows in every subgraph, along chains, and unmerge reverses it', async () => {
    const a = await person();
    const b = await person();
    const c = await person();
    const before = await view(a.id);
    expect(before.leads.nodes.map((l) => l.id)).toEqual([a.seeded.leadId]);

    const ab = await merge(a.id, b.id);
    await eventually(async () => {
      const merged = await view(a.id);
      expect(merged.leads.nodes.map((l) => l.id).sort()).toEqual([a.seeded.leadId, b.seeded.leadId].sort());
      expect(merged.leads.totalCount).toBe(2);
      expect(merged.vehicles.map((v) => v.vin).sort()).toEqual([a.seeded.vin, b.seeded.vin].sort());
      expect(ids(merged.complaints.nodes)).toEqual([a.seeded.complaintId, b.seeded.complaintId].sort());
      expect(ids(merged.orders.nodes)).toEqual([a.seeded.orderId, b.seeded.orderId].sort());
      expect(ids(merged.appointments.nodes)).toEqual([a.seeded.appointmentId, b.seeded.appointmentId].sort());
      expect(ids(merged.surveyResponses.nodes)).toEqual([a.seeded.responseId, b.seeded.responseId].sort());
    });
    // A chain: A (with B) merged into C, so C's references include A's and B's.
    const ca = await merge(c.id, a.id);
    await eventually(async () => {
      const chained = await view(c.id);
      expect(ids(chained.leads.nodes)).toEqual([a.seeded.leadId, b.seeded.leadId, c.seeded.leadId].sort());
      expect(chained.complaints.totalCount).toBe(3);
      expect(chained.vehicles).toHaveLength(3);
      // Every alias map points B and A at the root C.
      for (const [db, table] of [
        [stack.dbs.vehicle, vehicleSchema.customerAlias],
        [stack.dbs.sales, salesSchema.customerAlias],
        [stack.dbs.service, serviceSchema.customerAlias],
        [stack.dbs.feedback, feedbackSchema.customerAlias],
      ] as const) {
        const rows = await db
          .select()
          .from(table)
          .where(inArray(table.mergedId, [a.id, b.id]));
        expect(rows.map((r) => r.survivorId)).toEqual([c.id, c.id]);
      }
    });

    // Undo last first: C loses A and B, then A loses B.
    await unmerge(ca);
    await eventually(async () => {
      expect(ids((await view(c.id)).leads.nodes)).toEqual([c.seeded.leadId]);
      expect(ids((await view(a.id)).leads.nodes)).toEqual([a.seeded.leadId, b.seeded.leadId].sort());
    });
    await unmerge(ab);
    await eventually(async () => {
      const restored = await view(a.id);
      expect(ids(restored.leads.nodes)).toEqual([a.seeded.leadId]);
      expect(restored.vehicles.map((v) => v.vin)).toEqual([a.seeded.vin]);
      expect(restored.complaints.totalCount).toBe(1);
      expect(ids((await view(b.id)).complaints.nodes)).toEqual([b.seeded.complaintId]);
    });
  });

  it('an ingest that finds two customers to be one person aliases them too', async () => {
    const d = await person();
    const e = await person();
    // E's own record comes back carrying D's verified phone: identity resolution merges them.
    const { results } = await ingest(stack, [
      {
        source: 'APP',
        externalId: `privacy-${e.serial}`,
        name: `Zhang Privacy ${e.serial}`,
        phone: phoneNo(700 + d.serial),
        phoneVerified: true,
        nationalId: nationalIdNo(700 + e.serial),
      },
    ]);
    expect(results[0]!.outcome).toBe('MERGED');
    const survivor = results[0]!.customer.id;
    expect([d.id, e.id]).toContain(survivor);
    await eventually(async () => {
      const merged = await view(survivor);
      expect(ids(merged.leads.nodes)).toEqual([d.seeded.leadId, e.seeded.leadId].sort());
      expect(ids(merged.surveyResponses.nodes)).toEqual([d.seeded.responseId, e.seeded.responseId].sort());
      expect(merged.vehicles).toHaveLength(2);
    });
  });

  it('costs a merged survivor’s 360 the same SQL statements as an unmerged customer’s', async () => {
    const a = await person();
    const b = await person();
    const lone = await person();
    await merge(a.id, b.id);
    await eventually(async () => expect((await view(a.id)).leads.totalCount).toBe(2));
    const statements = async (id: string) => {
      for (const db of Object.values(stack.databases)) db.counter.reset();
      await view(id);
      return Object.fromEntries(
        Object.entries(stack.databases).map(([n, db]) => [n, db.counter.requestCount]),
      );
    };
    const merged = await statements(a.id);
    console.log('360 statements per subgraph for a merged survivor:', merged);
    expect(merged).toEqual(await statements(lone.id));
    // One statement per list field (and one per totalCount): vehicles, leads, orders, complaints,
    // appointments, survey responses.
    expect(merged.sales).toBeLessThanOrEqual(4);
    expect(merged.service).toBeLessThanOrEqual(4);
  });

  it('keeps dealer row scope on a survivor’s aliased lists', async () => {
    const a = await person();
    const b = await person();
    await stack.dbs.sales
      .insert(salesSchema.dealers)
      .values({ code: 'PV002', name: 'Other', city: 'Beijing', province: 'Beijing', region: 'NORTH' })
      .onConflictDoNothing();
    const [foreign] = await stack.dbs.sales
      .insert(salesSchema.leads)
      .values({ customerId: b.id, dealerCode: 'PV002', source: 'APP' })
      .returning();
    await merge(a.id, b.id);
    await eventually(async () => {
      expect((await view(a.id)).leads.totalCount).toBe(3);
    });
    // The dealer sees the person through its relationship (projected from sales events in production).
    await stack.dbs.customer
      .insert(customerSchema.dealerRelationships)
      .values({ customerId: a.id, dealerCode: DEALER, kind: 'LEAD', lastSeenAt: now })
      .onConflictDoNothing();
    const dealer = await authHeader({ role: 'dealer_manager', dealer: DEALER });
    const res = await stack.graphql<{ customer: View360 }>(view360, { id: a.id }, dealer);
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    expect(ids(res.data!.customer.leads.nodes)).toEqual([a.seeded.leadId, b.seeded.leadId].sort());
    expect(res.data!.customer.leads.totalCount).toBe(2);
    expect(ids(res.data!.customer.leads.nodes)).not.toContain(foreign!.id);
  });

  it('refuses export and erasure to roles without the right', async () => {
    const { id } = await person();
    const cases: [Record<string, unknown>, string, Record<string, unknown>][] = [
      [{ role: 'hq_analyst' }, exportQuery, { input: { customerId: id } }],
      [
        { role: 'dealer_manager', dealer: DEALER, scope: 'pii:read' },
        exportQuery,
        { input: { customerId: id } },
      ],
      [{ role: 'hq_analyst', scope: 'pii:read' }, eraseMutation, { input: { customerId: id, reason: 'r' } }],
      [
        { role: 'dms_integration', dealer: DEALER },
        eraseMutation,
        { input: { customerId: id, reason: 'r' } },
      ],
    ];
    for (const [claims, query, variables] of cases) {
      const res = await stack.graphql(query, variables, await authHeader(claims as never));
      expect(res.errors?.[0]?.extensions?.code, JSON.stringify(res)).toBe('FORBIDDEN');
      expect(res.data?.customerExport ?? res.data?.customerErase ?? null).toBeNull();
    }
    expect((await stack.dbs.customer.select().from(customerSchema.erasures)).length).toBe(0);
    // An HQ analyst granted pii:read may export.
    const analyst = await authHeader({ role: 'hq_analyst', scope: 'pii:read' });
    const ok = await stack.graphql<{ customerExport: { export: { customerId: string } } }>(
      exportQuery,
      { input: { customerId: id } },
      analyst,
    );
    expect(ok.errors).toBeUndefined();
    expect(ok.data!.customerExport.export.customerId).toBe(id);
  });

  it('exports everything held about a person (and who was merged into them) from all five subgraphs', async () => {
    const a = await person();
    const b = await person();
    await merge(a.id, b.id);
    const both = [a.id, b.id];
    const res = await stack.graphql<{
      customerExport: { export: Record<string, unknown> & { mergedCustomerIds: string[] } };
    }>(exportQuery, { input: { customerId: b.id } }, admin);
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    const exported = res.data!.customerExport.export;
    expect(exported.customerId).toBe(a.id);
    expect(exported.mergedCustomerIds).toEqual([b.id]);
    const section = (field: string) => exported[field] as Section;
    for (const [field, name] of [
      ['customerData', 'customer'],
      ['vehicleData', 'vehicle'],
      ['salesData', 'sales'],
      ['serviceData', 'service'],
      ['feedbackData', 'feedback'],
    ] as const) {
      expect(section(field).subgraph).toBe(name);
      expect(section(field).schemaVersion).toBe(1);
      expect([...section(field).customerIds].sort()).toEqual([...both].sort());
    }
    // Compared with the rows in each subgraph's own tables, not with constants.
    const customerRows = await stack.dbs.customer
      .select()
      .from(customerSchema.customers)
      .where(inArray(customerSchema.customers.id, both));
    const profile = section('customerData').tables.customers as unknown as {
      id: string;
      phone: string;
      nationalId: string;
    }[];
    expect(ids(profile)).toEqual(ids(customerRows));
    const root = profile.find((p) => p.id === a.id)!;
    expect(root.phone).toBe(customerRows.find((r) => r.id === a.id)!.phone);
    expect(root.nationalId).toMatch(/^\d{17}[\dX]$/);
    const identities = await stack.dbs.customer
      .select()
      .from(customerSchema.identities)
      .where(inArray(customerSchema.identities.customerId, both));
    // Identities are keyed by kind, source and value.
    const identityKeys = (rows: Record<string, unknown>[]) =>
      rows.map((r) => `${r.kind}|${r.source}|${r.valueKey}`).sort();
    expect(identityKeys(section('customerData').tables.identities!)).toEqual(identityKeys(identities));
    expect(identities.length).toBeGreaterThan(0);
    expect(section('customerData').tables.merges).toHaveLength(1);
    expect(section('customerData').tables.consentHistory!.length).toBeGreaterThan(0);

    const owned = await stack.dbs.vehicle
      .select()
      .from(vehicleSchema.ownerships)
      .where(inArray(vehicleSchema.ownerships.customerId, both));
    expect(ids(section('vehicleData').tables.ownerships!)).toEqual(ids(owned));
    expect(section('vehicleData').tables.mileageReadings).toHaveLength(2);

    const leads = await stack.dbs.sales
      .select()
      .from(salesSchema.leads)
      .where(inArray(salesSchema.leads.customerId, both));
    expect(ids(section('salesData').tables.leads!)).toEqual(ids(leads));
    expect(ids(section('salesData').tables.orders!)).toEqual([a.seeded.orderId, b.seeded.orderId].sort());
    expect(ids(section('salesData').tables.testDrives!)).toEqual(
      [a.seeded.testDriveId, b.seeded.testDriveId].sort(),
    );
    expect(section('salesData').tables.followUps).toHaveLength(2);

    const complaints = await stack.dbs.service
      .select()
      .from(serviceSchema.complaints)
      .where(inArray(serviceSchema.complaints.customerId, both));
    expect(ids(section('serviceData').tables.complaints!)).toEqual(ids(complaints));
    expect(ids(section('serviceData').tables.roadsideCases!)).toEqual(
      [a.seeded.roadsideId, b.seeded.roadsideId].sort(),
    );
    expect(ids(section('serviceData').tables.repairOrders!)).toEqual(
      [a.seeded.repairOrderId, b.seeded.repairOrderId].sort(),
    );
    expect(ids(section('serviceData').tables.appointments!)).toEqual(
      [a.seeded.appointmentId, b.seeded.appointmentId].sort(),
    );

    const responses = await stack.dbs.feedback
      .select()
      .from(feedbackSchema.surveyResponses)
      .where(inArray(feedbackSchema.surveyResponses.customerId, both));
    expect(ids(section('feedbackData').tables.responses!)).toEqual(ids(responses));
    const consents = await stack.dbs.feedback
      .select()
      .from(feedbackSchema.consents)
      .where(inArray(feedbackSchema.consents.customerId, both));
    expect(section('feedbackData').tables.consents).toHaveLength(consents.length);
  });

  it('erases a person in all five subgraphs, once, and a later record with the same phone is someone new', async () => {
    const a = await person();
    const b = await person();
    await merge(a.id, b.id);
    const both = [a.id, b.id];
    const erase = () =>
      stack.graphql<{
        customerErase: {
          created: boolean;
          erasure: { id: string; requestedBy: string; mergedCustomerIds: string[]; customer: { id: string } };
          userErrors: unknown[];
        };
      }>(eraseMutation, { input: { customerId: b.id, reason: 'PIPL request #42' } }, admin);
    const first = await erase();
    expect(first.errors, JSON.stringify(first.errors)).toBeUndefined();
    expect(first.data!.customerErase.userErrors).toEqual([]);
    expect(first.data!.customerErase.created).toBe(true);
    const erasure = first.data!.customerErase.erasure;
    expect(erasure.customer.id).toBe(a.id);
    expect(erasure.mergedCustomerIds).toEqual([b.id]);
    expect(erasure.requestedBy).toBe('dpo@hq');

    const status = await eventually(async () => {
      const res = await stack.graphql<{
        customerErasure: {
          id: string;
          status: string;
          completedAt: string;
          subgraphs: { subgraph: string; status: string }[];
        };
      }>(erasureQuery, { id: a.id }, admin);
      expect(res.errors).toBeUndefined();
      expect(res.data!.customerErasure.subgraphs.map((s) => `${s.subgraph}:${s.status}`).sort()).toEqual(
        ['customer', 'feedback', 'sales', 'service', 'vehicle'].map((s) => `${s}:COMPLETED`),
      );
      return res.data!.customerErasure;
    }, 20_000);
    expect(status.status).toBe('COMPLETED');
    expect(status.completedAt).not.toBeNull();

    // No PII left, read straight from each subgraph's tables.
    const profiles = await stack.dbs.customer
      .select()
      .from(customerSchema.customers)
      .where(inArray(customerSchema.customers.id, both));
    for (const p of profiles) {
      expect(p).toMatchObject({
        displayName: '[erased]',
        phone: null,
        email: null,
        nationalIdCipher: null,
        nationalIdLast4: null,
        city: null,
      });
      expect(p.erasedAt).not.toBeNull();
    }
    for (const table of [
      customerSchema.identities,
      customerSchema.sourceRecords,
      customerSchema.tags,
      customerSchema.consents,
    ]) {
      expect(await stack.dbs.customer.select().from(table).where(inArray(table.customerId, both))).toEqual(
        [],
      );
    }
    const history = await stack.dbs.customer
      .select()
      .from(customerSchema.consentHistory)
      .where(inArray(customerSchema.consentHistory.customerId, both));
    expect(history.length).toBeGreaterThan(0);
    expect(history.every((h) => h.note === null)).toBe(true);
    const [ledger] = await stack.dbs.customer
      .select()
      .from(customerSchema.mergeRecords)
      .where(eq(customerSchema.mergeRecords.mergedId, b.id));
    expect(ledger!.movedIdentities).toEqual([]);

    const leads = await stack.dbs.sales
      .select()
      .from(salesSchema.leads)
      .where(inArray(salesSchema.leads.customerId, both));
    expect(leads).toHaveLength(2);
    expect(leads.every((l) => l.city === null && l.lostReason === null)).toBe(true);
    const handoffs = await stack.dbs.sales
      .select()
      .from(salesSchema.leadHandoffs)
      .where(inArray(salesSchema.leadHandoffs.customerId, both));
    expect(handoffs.map((h) => h.reason)).toEqual(['[erased]', '[erased]']);
    const drives = await stack.dbs.sales
      .select()
      .from(salesSchema.testDrives)
      .where(inArray(salesSchema.testDrives.customerId, both));
    expect(drives.map((d) => d.note)).toEqual([null, null]);
    const followUps = await stack.dbs.sales
      .select()
      .from(salesSchema.followUps)
      .where(
        inArray(
          salesSchema.followUps.leadId,
          leads.map((l) => l.id),
        ),
      );
    expect(followUps.map((f) => f.note)).toEqual([null, null]);
    const orders = await stack.dbs.sales
      .select()
      .from(salesSchema.salesOrders)
      .where(inArray(salesSchema.salesOrders.customerId, both));
    expect(orders.map((o) => o.totalAmount)).toEqual(['150000.00', '150000.00']);

    const complaints = await stack.dbs.service
      .select()
      .from(serviceSchema.complaints)
      .where(inArray(serviceSchema.complaints.customerId, both));
    expect(complaints.map((c) => [c.description, c.resolution])).toEqual([
      ['[erased]', null],
      ['[erased]', null],
    ]);
    const roadside = await stack.dbs.service
      .select()
      .from(serviceSchema.roadsideCases)
      .where(inArray(serviceSchema.roadsideCases.customerId, both));
    expect(roadside.map((r) => [r.location, r.latitude, r.description])).toEqual([
      ['[erased]', null, null],
      ['[erased]', null, null],
    ]);
    const appointments = await stack.dbs.service
      .select()
      .from(serviceSchema.appointments)
      .where(inArray(serviceSchema.appointments.customerId, both));
    expect(appointments.map((x) => x.note)).toEqual([null, null]);
    const repairOrders = await stack.dbs.service
      .select()
      .from(serviceSchema.repairOrders)
      .where(inArray(serviceSchema.repairOrders.customerId, both));
    expect(repairOrders.map((r) => r.totalAmount)).toEqual(['880.00', '880.00']);

    const responses = await stack.dbs.feedback
      .select()
      .from(feedbackSchema.surveyResponses)
      .where(inArray(feedbackSchema.surveyResponses.customerId, both));
    expect(responses.map((r) => [r.score, r.comment])).toEqual([
      [4, null],
      [4, null],
    ]);
    expect(
      await stack.dbs.feedback
        .select()
        .from(feedbackSchema.consents)
        .where(inArray(feedbackSchema.consents.customerId, both)),
    ).toEqual([]);

    const receipts = async () =>
      Promise.all(
        (
          [
            [stack.dbs.vehicle, vehicleSchema.erasureReceipts],
            [stack.dbs.sales, salesSchema.erasureReceipts],
            [stack.dbs.service, serviceSchema.erasureReceipts],
            [stack.dbs.feedback, feedbackSchema.erasureReceipts],
          ] as const
        ).map(async ([db, table]) => db.select().from(table).where(eq(table.erasureId, erasure.id))),
      );
    for (const [receipt] of await receipts())
      expect([...receipt!.customerIds].sort()).toEqual([...both].sort());

    // customer(id) shows the tombstone, for the root and the merged id alike.
    const tombstone = await stack.graphql<{
      customer: {
        id: string;
        displayName: string;
        phone: string | null;
        erasedAt: string;
        identities: unknown[];
      };
    }>(
      `query ($id: ID!) { customer(id: $id) { id displayName phone erasedAt identities { kind } } }`,
      { id: b.id },
      admin,
    );
    expect(tombstone.data!.customer).toMatchObject({
      id: a.id,
      displayName: '[erased]',
      phone: null,
      identities: [],
    });
    expect(tombstone.data!.customer.erasedAt).not.toBeNull();

    // Idempotent: the same erasure comes back and nothing is redone.
    const second = await erase();
    expect(second.data!.customerErase.created).toBe(false);
    expect(second.data!.customerErase.erasure.id).toBe(erasure.id);
    expect(
      await stack.dbs.customer
        .select()
        .from(customerSchema.erasures)
        .where(eq(customerSchema.erasures.customerId, a.id)),
    ).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 500));
    for (const rows of await receipts()) expect(rows).toHaveLength(1);

    // The same phone (and source record) arriving again is a new person, not the erased one.
    const again = await ingest(stack, [
      {
        source: 'APP',
        externalId: `privacy-${a.serial}`,
        name: 'Zhang Again',
        phone: phoneNo(700 + a.serial),
        phoneVerified: true,
      },
    ]);
    expect(again.results[0]!.outcome).toBe('CREATED');
    expect(again.results[0]!.customer.id).not.toBe(a.id);
    // Merging into the tombstone is refused.
    const refused = await stack.graphql<{ customerMerge: { userErrors: { code: string }[] } }>(
      `mutation ($input: CustomerMergeInput!) { customerMerge(input: $input) { userErrors { code } } }`,
      { input: { survivorId: a.id, mergedId: again.results[0]!.customer.id, reason: 'x' } },
    );
    expect(refused.data!.customerMerge.userErrors.map((e) => e.code)).toEqual(['CUSTOMER_ERASED']);
  });
});
