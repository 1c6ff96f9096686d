import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RepairOrderStatus, repairOrders } from '../src/db/schema.ts';
import { repairOrderSteps, repairOrderTransitions } from '../src/repairOrders/lifecycle.ts';
import {
  advance,
  gql,
  minutes,
  type ServiceStack,
  startServiceStack,
  type UserErrorShape,
} from './support.ts';

const statuses: RepairOrderStatus[] = [...repairOrderSteps, 'CANCELLED'];
const VIN = 'LGWC6H6A3RA000017';

interface TimelineEntry {
  from: string | null;
  to: string;
  at: string;
  actor: string;
  source: string;
  note: string | null;
}

interface OrderView {
  id: string;
  status: RepairOrderStatus;
  closedAt: string | null;
  timeline: TimelineEntry[];
}

const orderFields = 'id status closedAt timeline { from to at actor source note }';
const transition = `
  mutation ($input: RepairOrderTransitionInput!) {
    repairOrderTransition(input: $input) {
      repairOrder { ${orderFields} }
      userErrors { field code message }
    }
  }`;

let stack: ServiceStack;

beforeAll(async () => {
  stack = await startServiceStack('transitions');
});

afterAll(async () => {
  await stack?.close();
});

async function orderIn(status: RepairOrderStatus): Promise<string> {
  const [row] = await stack.database.db
    .insert(repairOrders)
    .values({ dealerCode: 'SH01', externalId: randomUUID(), vin: VIN, status, openedAt: stack.clock.now })
    .returning();
  return row!.id;
}

async function move(repairOrderId: string, to: RepairOrderStatus, note?: string) {
  const data = await gql<{
    repairOrderTransition: { repairOrder: OrderView | null; userErrors: UserErrorShape[] };
  }>(stack, transition, { input: { repairOrderId, to, note } });
  return data.repairOrderTransition;
}

async function view(id: string): Promise<OrderView> {
  const data = await gql<{ repairOrder: OrderView }>(
    stack,
    `query ($id: ID!) { repairOrder(id: $id) { ${orderFields} } }`,
    {
      id,
    },
  );
  return data.repairOrder;
}

describe('repairOrderTransition', () => {
  it('walks the whole lifecycle, timestamping and attributing every step in the timeline', async () => {
    const id = await orderIn('OPEN');
    const path: RepairOrderStatus[] = ['DISPATCHED', 'IN_REPAIR', 'QUALITY_CHECK', 'SETTLED', 'DELIVERED'];
    const expected: TimelineEntry[] = [];
    let from: RepairOrderStatus = 'OPEN';
    for (const [i, to] of path.entries()) {
      advance(stack, minutes(30));
      stack.clock.actor = `service_advisor:advisor-${i}`;
      const result = await move(id, to, `step ${i}`);
      expect(result.userErrors).toEqual([]);
      expect(result.repairOrder!.status).toBe(to);
      expected.unshift({
        from,
        to,
        at: stack.clock.now.toISOString(),
        actor: stack.clock.actor,
        source: 'API',
        note: `step ${i}`,
      });
      from = to;
    }
    const order = await view(id);
    expect(order.status).toBe('DELIVERED');
    expect(order.closedAt).toBe(stack.clock.now.toISOString());
    expect(order.timeline).toEqual(expected);
  });

  it('cancels from every state that is not final, and records it', async () => {
    for (const from of statuses.filter((s) => s !== 'DELIVERED' && s !== 'CANCELLED')) {
      const id = await orderIn(from);
      const result = await move(id, 'CANCELLED', 'customer withdrew');
      expect(result.userErrors, from).toEqual([]);
      expect(result.repairOrder).toMatchObject({
        status: 'CANCELLED',
        closedAt: stack.clock.now.toISOString(),
      });
      expect(result.repairOrder!.timeline[0]).toMatchObject({
        from,
        to: 'CANCELLED',
        actor: stack.clock.actor,
      });
    }
  });

  it('refuses every illegal transition with ILLEGAL_TRANSITION naming from and to, writing nothing', async () => {
    const illegal = statuses.flatMap((from) =>
      statuses.filter((to) => !repairOrderTransitions[from].includes(to)).map((to) => ({ from, to })),
    );
    // 7 states: 49 pairs, of which 5 forward steps and 5 cancellations are legal.
    expect(illegal).toHaveLength(49 - 10);
    for (const { from, to } of illegal) {
      const id = await orderIn(from);
      const result = await move(id, to);
      expect(result.repairOrder, `${from} -> ${to}`).toBeNull();
      expect(result.userErrors).toEqual([
        {
          field: 'to',
          code: 'ILLEGAL_TRANSITION',
          message: `to: a repair order cannot move from ${from} to ${to}`,
        },
      ]);
      const after = await view(id);
      expect(after.status).toBe(from);
      expect(after.timeline).toEqual([]);
    }
  });

  it('names the field for a malformed or unknown repair order id', async () => {
    expect((await move('RO-1', 'DISPATCHED')).userErrors).toEqual([
      { field: 'repairOrderId', code: 'INVALID_ID', message: 'repairOrderId: is not a repair order id' },
    ]);
    const unknown = randomUUID();
    expect((await move(unknown, 'DISPATCHED')).userErrors).toEqual([
      {
        field: 'repairOrderId',
        code: 'NOT_FOUND',
        message: `repairOrderId: repair order ${unknown} was not found`,
      },
    ]);
  });

  it('lets one of several concurrent identical steps succeed, never two', async () => {
    const id = await orderIn('OPEN');
    const results = await Promise.all([
      move(id, 'DISPATCHED'),
      move(id, 'DISPATCHED'),
      move(id, 'DISPATCHED'),
    ]);
    expect(results.filter((r) => r.userErrors.length === 0)).toHaveLength(1);
    const order = await view(id);
    expect(order.timeline).toHaveLength(1);
  });
});

const ingest = `
  mutation ($input: RepairOrdersIngestInput!) {
    repairOrdersIngest(input: $input) {
      results { index externalId outcome repairOrder { ${orderFields} } }
      userErrors { index field code message }
    }
  }`;

interface IngestData {
  repairOrdersIngest: {
    results: { index: number; externalId: string; outcome: string; repairOrder: OrderView }[];
    userErrors: { index: number; field: string; code: string; message: string }[];
  };
}

describe('repairOrdersIngest and the lifecycle', () => {
  const record = (externalId: string, status?: RepairOrderStatus) => ({
    dealerCode: 'SH02',
    externalId,
    vin: VIN,
    status,
    openedAt: '2026-03-01T01:00:00.000Z',
  });

  it('records creation and each synced status change, accepts skipped steps, refuses going back', async () => {
    stack.clock.actor = 'dms_integration:dms-sh02';
    const created = await gql<IngestData>(stack, ingest, { input: { records: [record('RO-A', 'OPEN')] } });
    expect(created.repairOrdersIngest.results[0]!.repairOrder.timeline).toEqual([
      {
        from: null,
        to: 'OPEN',
        at: stack.clock.now.toISOString(),
        actor: 'dms_integration:dms-sh02',
        source: 'INGEST',
        note: null,
      },
    ]);
    advance(stack, minutes(90));
    const skipped = await gql<IngestData>(stack, ingest, {
      input: { records: [record('RO-A', 'QUALITY_CHECK')] },
    });
    expect(skipped.repairOrdersIngest.results[0]!.outcome).toBe('UPDATED');
    expect(skipped.repairOrdersIngest.results[0]!.repairOrder.timeline[0]).toMatchObject({
      from: 'OPEN',
      to: 'QUALITY_CHECK',
      source: 'INGEST',
    });
    // A re-sent record without a status keeps the order where it is.
    const noStatus = await gql<IngestData>(stack, ingest, { input: { records: [record('RO-A')] } });
    expect(noStatus.repairOrdersIngest.results[0]!.repairOrder.status).toBe('QUALITY_CHECK');
    const back = await gql<IngestData>(stack, ingest, {
      input: { records: [record('RO-A', 'IN_REPAIR'), record('RO-B', 'OPEN')] },
    });
    expect(back.repairOrdersIngest.userErrors).toEqual([
      {
        index: 0,
        field: 'status',
        code: 'ILLEGAL_TRANSITION',
        message: 'status: a repair order cannot move from QUALITY_CHECK to IN_REPAIR',
      },
    ]);
    // The good record of the batch is still applied.
    expect(back.repairOrdersIngest.results.map((r) => [r.externalId, r.outcome])).toEqual([
      ['RO-B', 'CREATED'],
    ]);
    const a = skipped.repairOrdersIngest.results[0]!.repairOrder;
    expect((await view(a.id)).status).toBe('QUALITY_CHECK');
  });
});
