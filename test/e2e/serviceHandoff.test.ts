import { subgraphNames } from '@cx/platform';
import { schema as salesSchema } from '@cx/sales';
import { schema as serviceSchema } from '@cx/service';
import { and, eq, isNotNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractOperation } from '../helpers/contract.ts';
import { startTestStack, type TestStack } from '../helpers/testStack.ts';

const customer360 = contractOperation('customer360.graphql');

const handoff = `mutation ($input: RepairOrderCreateSalesLeadInput!) {
  repairOrderCreateSalesLead(input: $input) {
    lead {
      id status source createdAt
      customer { id }
      interestedModel { code name }
      dealer { code }
      assignedConsultant { id dealer { code } }
      sourceRepairOrder { id status vehicle { vin } dealer { code } customer { id } }
    }
    userErrors { field code message }
  }
}`;

interface HandoffLead {
  id: string;
  status: string;
  source: string;
  customer: { id: string };
  interestedModel: { code: string; name: string } | null;
  dealer: { code: string } | null;
  assignedConsultant: { id: string; dealer: { code: string } } | null;
  sourceRepairOrder: {
    id: string;
    status: string;
    vehicle: { vin: string };
    dealer: { code: string };
    customer: { id: string };
  } | null;
}
interface HandoffData {
  repairOrderCreateSalesLead: {
    lead: HandoffLead | null;
    userErrors: { field: string; code: string; message: string }[];
  };
}

describe('service-to-sales hand-off through the gateway', () => {
  let stack: TestStack;
  let order: { id: string; customerId: string; dealerCode: string; vin: string; status: string };

  beforeAll(async () => {
    stack = await startTestStack('service_handoff', { customers: 30 });
    const [row] = await stack.dbs.service
      .select()
      .from(serviceSchema.repairOrders)
      .where(isNotNull(serviceSchema.repairOrders.customerId))
      .orderBy(serviceSchema.repairOrders.id)
      .limit(1);
    order = { ...row!, customerId: row!.customerId! };
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('creates a SERVICE_HANDOFF lead, assigned at the servicing dealer and linked to the repair order', async () => {
    const res = await stack.graphql<HandoffData>(handoff, {
      input: {
        repairOrderId: order.id,
        customerId: order.customerId,
        reason: 'Tires worn out; the owner asks about the H6 HEV',
        modelCode: 'haval-h6-hev-2025',
        dealerCode: order.dealerCode,
      },
    });
    expect(res.errors).toBeUndefined();
    const { lead, userErrors } = res.data!.repairOrderCreateSalesLead;
    expect(userErrors).toEqual([]);
    expect(lead).toMatchObject({
      status: 'ASSIGNED',
      source: 'SERVICE_HANDOFF',
      customer: { id: order.customerId },
      interestedModel: { code: 'HAVAL-H6-HEV-2025', name: 'Haval H6 HEV' },
      dealer: { code: order.dealerCode },
      assignedConsultant: { dealer: { code: order.dealerCode } },
      // Resolved by the service subgraph from the key sales stored.
      sourceRepairOrder: {
        id: order.id,
        status: order.status,
        vehicle: { vin: order.vin },
        dealer: { code: order.dealerCode },
        customer: { id: order.customerId },
      },
    });
    // The normal assignment flow: an assignment row and its outbox event, for the lead stream.
    const events = await stack.dbs.sales.select().from(salesSchema.outbox);
    expect(events.filter((e) => (e.payload as { leadId?: string }).leadId === lead!.id)).toHaveLength(1);
  });

  it('shows the hand-off lead in the customer 360 view', async () => {
    const res = await stack.graphql<{
      customer: {
        leads: { totalCount: number; nodes: { id: string; source: string; assignedConsultant: unknown }[] };
      };
    }>(customer360, { id: order.customerId });
    expect(res.errors).toBeUndefined();
    const leads = await stack.dbs.sales
      .select()
      .from(salesSchema.leads)
      .where(eq(salesSchema.leads.customerId, order.customerId));
    const handedOver = leads.find((l) => l.source === 'SERVICE_HANDOFF')!;
    expect(res.data!.customer.leads.totalCount).toBe(leads.length);
    // Newest first: the lead created just now leads the list.
    expect(res.data!.customer.leads.nodes[0]).toMatchObject({ id: handedOver.id, source: 'SERVICE_HANDOFF' });
    expect(res.data!.customer.leads.nodes[0]!.assignedConsultant).not.toBeNull();
  });

  it('returns the same open lead when the advisor hands the same opportunity over again', async () => {
    const input = {
      repairOrderId: order.id,
      customerId: order.customerId,
      reason: 'Asked again at pick-up',
      modelCode: 'HAVAL-H6-HEV-2025',
      dealerCode: order.dealerCode,
    };
    const again = await stack.graphql<HandoffData>(handoff, { input });
    const handoffs = await stack.dbs.sales
      .select()
      .from(salesSchema.leadHandoffs)
      .where(eq(salesSchema.leadHandoffs.repairOrderId, order.id));
    expect(handoffs).toHaveLength(1);
    expect(again.data!.repairOrderCreateSalesLead.lead!.id).toBe(handoffs[0]!.leadId);
    const handoffLeads = await stack.dbs.sales
      .select()
      .from(salesSchema.leads)
      .where(
        and(
          eq(salesSchema.leads.customerId, order.customerId),
          eq(salesSchema.leads.source, 'SERVICE_HANDOFF'),
        ),
      );
    expect(handoffLeads).toHaveLength(1);
  });

  it('names the field at fault and writes nothing', async () => {
    const before = await stack.dbs.sales.select().from(salesSchema.leadHandoffs);
    const cases: [Record<string, unknown>, { field: string; code: string }][] = [
      [{ repairOrderId: 'RO-42' }, { field: 'repairOrderId', code: 'INVALID_ID' }],
      [{ reason: '   ' }, { field: 'reason', code: 'REQUIRED' }],
      [{ reason: 'x'.repeat(501) }, { field: 'reason', code: 'TOO_LONG' }],
      [{ customerId: 'someone' }, { field: 'customerId', code: 'INVALID_ID' }],
    ];
    for (const [override, expected] of cases) {
      const res = await stack.graphql<HandoffData>(handoff, {
        input: {
          repairOrderId: order.id,
          customerId: order.customerId,
          reason: 'Wants a bigger car',
          modelCode: 'TANK-300-2024',
          ...override,
        },
      });
      expect(res.data!.repairOrderCreateSalesLead.lead).toBeNull();
      expect(
        res.data!.repairOrderCreateSalesLead.userErrors.map((e) => ({ field: e.field, code: e.code })),
      ).toEqual([expected]);
    }
    expect(await stack.dbs.sales.select().from(salesSchema.leadHandoffs)).toHaveLength(before.length);
  });

  it('resolves sourceRepairOrder for many leads without N+1', async () => {
    const orders = await stack.dbs.service
      .select()
      .from(serviceSchema.repairOrders)
      .where(isNotNull(serviceSchema.repairOrders.customerId))
      .orderBy(serviceSchema.repairOrders.id)
      .limit(40);
    const other = orders.find((o) => o.customerId !== order.customerId)!;
    const mine = orders.filter((o) => o.customerId === order.customerId);
    // Three more hand-offs for the first customer, each for another model (so none is a duplicate).
    for (const [i, modelCode] of ['TANK-300-2024', 'WEY-MOCHA-2024', 'ORA-GOODCAT-2024'].entries()) {
      const ro = mine[i % mine.length]!;
      await stack.graphql(handoff, {
        input: { repairOrderId: ro.id, customerId: order.customerId, reason: 'Upgrade', modelCode },
      });
    }
    await stack.graphql(handoff, {
      input: {
        repairOrderId: other.id,
        customerId: other.customerId,
        reason: 'Upgrade',
        modelCode: 'TANK-500-2025',
      },
    });
    const query = `query ($id: ID!) { customer(id: $id) { leads(first: 20) {
      nodes { id source sourceRepairOrder { id status vehicle { vin } } } } } }`;
    const count = async (id: string) => {
      for (const n of subgraphNames) stack.databases[n].counter.reset();
      const res = await stack.graphql<{
        customer: { leads: { nodes: { source: string; sourceRepairOrder: { id: string } | null }[] } };
      }>(query, { id });
      expect(res.errors).toBeUndefined();
      const linked = res.data!.customer.leads.nodes.filter((l) => l.sourceRepairOrder).length;
      return {
        linked,
        sales: stack.databases.sales.counter.requestCount,
        service: stack.databases.service.counter.requestCount,
      };
    };
    const one = await count(other.customerId!);
    const four = await count(order.customerId);
    expect(one.linked).toBe(1);
    expect(four.linked).toBe(4);
    expect({ sales: four.sales, service: four.service }).toEqual({ sales: one.sales, service: one.service });
  });
});
