import { randomUUID } from 'node:crypto';
import type { DomainEvent } from '@cx/platform';
import { publishEvents } from '@cx/platform';
import { schema as salesSchema } from '@cx/sales';
import { asc, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subgraphModules } from '../../scripts/lib/stack.ts';
import { contractOperation } from '../helpers/contract.ts';
import { eventually } from '../helpers/eventually.ts';
import { type LeadAssignedEvent, LeadFactory, subscribe, wsUrlOf } from '../helpers/leadStream.ts';
import { startTestStack, type TestStack } from '../helpers/testStack.ts';

/**
 * "Crash between the write and the notify": the change and its outbox row are committed, but the
 * process dies before it kicks its relay (so no position, no NOTIFY). Written here straight through
 * a transaction that never kicks; only the relays' periodic poll can deliver them.
 */
type Payload = { leadAssigned: LeadAssignedEvent };

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack('rel_outbox', { customers: 40 });
});

afterAll(async () => {
  await stack?.stop();
});

type LeadRef = { leadId: string; consultantId: string; dealerCode: string };

/**
 * An assignment and its outbox row, written like createLead writes them, in one transaction, but
 * nobody kicks the relay afterwards. With `position`, the row comes already positioned (as by a
 * relay in another process, under the relay lock) and still without a NOTIFY.
 */
async function assignWithoutWakeUp(lead: LeadRef, position?: number): Promise<string> {
  const assignedAt = new Date();
  // Only these fields: a payload read back from the outbox also carries its own assignmentId.
  const fields = {
    leadId: lead.leadId,
    consultantId: lead.consultantId,
    dealerCode: lead.dealerCode,
    reason: 'CITY_DEALER/LEAST_OPEN_LEADS',
  };
  return stack.dbs.sales.transaction(async (tx) => {
    if (position !== undefined)
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext('sales.outbox_relay'), 0)`);
    const [row] = await tx
      .insert(salesSchema.leadAssignments)
      .values({ ...fields, assignedAt })
      .returning({ id: salesSchema.leadAssignments.id });
    await tx.insert(salesSchema.outbox).values({
      topic: 'lead.assigned',
      dealerCode: lead.dealerCode,
      position,
      payload: { assignmentId: row!.id, ...fields, assignedAt: assignedAt.toISOString() },
    });
    return row!.id;
  });
}

describe('events written without a wake-up are still delivered', () => {
  it('sales lead stream: an assignment committed without a relay kick reaches a live dashboard by the poll', async () => {
    const [created] = await new LeadFactory(stack).create(1);
    const first = await positionedEventOf(created!.id);
    const payload = first.payload as LeadRef;

    const dashboard = subscribe<Payload>(
      wsUrlOf(stack.gateway.url),
      contractOperation('leadAssigned.graphql'),
      {
        after: String(first.position),
      },
    );
    try {
      const assignmentId = await assignWithoutWakeUp(payload);
      const [event] = (await dashboard.received(1, 20_000)).map((p) => p.leadAssigned);
      expect(event!.lead.id).toBe(payload.leadId);
      expect(event!.consultant.id).toBe(payload.consultantId);
      expect(Number(event!.cursor)).toBeGreaterThan(first.position!);
      // Positioned by the poll, exactly once.
      const rows = await stack.dbs.sales
        .select({ position: salesSchema.outbox.position })
        .from(salesSchema.outbox)
        .where(sql`${salesSchema.outbox.payload}->>'assignmentId' = ${assignmentId}`);
      expect(rows.map((r) => r.position)).toEqual([Number(event!.cursor)]);
    } finally {
      await dashboard.close();
    }
  });

  it('sales lead stream: a position assigned by another process whose NOTIFY never arrived is caught up by the poll', async () => {
    const [created] = await new LeadFactory(stack).create(1);
    await positionedEventOf(created!.id);
    const [top] = await stack.dbs.sales
      .select({ p: sql<number>`max(${salesSchema.outbox.position})`.mapWith(Number) })
      .from(salesSchema.outbox);
    const latest = top!.p;
    const dashboard = subscribe<Payload>(
      wsUrlOf(stack.gateway.url),
      contractOperation('leadAssigned.graphql'),
      {
        after: String(latest),
      },
    );
    try {
      const [row] = await stack.dbs.sales
        .select()
        .from(salesSchema.outbox)
        .where(eq(salesSchema.outbox.position, latest));
      const payload = row!.payload as LeadRef;
      expect(payload.leadId).toBe(created!.id);
      // Another relay positions the row under the relay lock, in its own transaction, and sends no NOTIFY.
      await assignWithoutWakeUp(payload, latest + 1);
      const [event] = (await dashboard.received(1, 20_000)).map((p) => p.leadAssigned);
      expect(event!.cursor).toBe(String(latest + 1));
      expect(event!.lead.id).toBe(payload.leadId);
    } finally {
      await dashboard.close();
    }
  });

  it('platform relay: an event committed without a kick is published once, by the poll', async () => {
    const tables = subgraphModules.customer.events!.tables;
    const topic = `reliability.probe.${randomUUID()}`;
    const received: DomainEvent[] = [];
    const unsubscribe = await stack.bus.subscribe('reliability-probe', [topic], async (event) => {
      received.push(event);
    });
    try {
      const key = randomUUID();
      await stack.dbs.customer.transaction(async (tx) => {
        await publishEvents(tx, tables, [{ topic, key, payload: { probe: true } }]);
      });
      await eventually(() => expect(received.map((e) => e.key)).toEqual([key]), 20_000);
      const [row] = await stack.dbs.customer.select().from(tables.outbox).where(eq(tables.outbox.key, key));
      expect(received[0]!.position).toBe(row!.position);
      expect(received[0]!.id).toBe(row!.eventId);
      // Later polls do not publish it again.
      await new Promise((r) => setTimeout(r, 1_500));
      expect(received).toHaveLength(1);
    } finally {
      await unsubscribe();
    }
  });
});

/** The outbox row of a lead's (first) assignment, once the relay has positioned it. */
async function positionedEventOf(leadId: string) {
  return eventually(async () => {
    const [row] = await stack.dbs.sales
      .select()
      .from(salesSchema.outbox)
      .where(sql`${salesSchema.outbox.payload}->>'leadId' = ${leadId}`)
      .orderBy(asc(salesSchema.outbox.id))
      .limit(1);
    expect(row?.position).toBeTypeOf('number');
    return row!;
  });
}
