import { type Db, type EventTopics, event, publishEvents, type Topic } from '@cx/platform';
import { and, eq, inArray, min } from 'drizzle-orm';
import {
  type ComplaintRow,
  eventTables,
  type RepairOrderRow,
  type RoadsideCaseRow,
  repairOrders,
} from '../db/schema.ts';

/**
 * The first delivered repair order of each VIN (by opening), so a closed order can say whether it
 * was the first maintenance: feedback asks a different survey after the first service.
 */
async function firstDeliveredOrders(db: Db, vins: readonly string[]): Promise<Map<string, Date>> {
  if (vins.length === 0) return new Map();
  const rows = await db
    .select({ vin: repairOrders.vin, firstAt: min(repairOrders.openedAt) })
    .from(repairOrders)
    .where(and(inArray(repairOrders.vin, [...vins]), eq(repairOrders.status, 'DELIVERED')))
    .groupBy(repairOrders.vin);
  return new Map(rows.flatMap((r) => (r.firstAt ? [[r.vin, r.firstAt] as const] : [])));
}

/** 'service.repair_order_closed' for orders just DELIVERED, in the transaction that delivered them. */
export async function publishRepairOrdersClosed(db: Db, delivered: readonly RepairOrderRow[], at: Date) {
  if (delivered.length === 0) return;
  const first = await firstDeliveredOrders(db, [...new Set(delivered.map((r) => r.vin))]);
  await publishEvents(
    db,
    eventTables,
    delivered.map((r) =>
      event('service.repair_order_closed', r.id, {
        repairOrderId: r.id,
        customerId: r.customerId,
        dealerCode: r.dealerCode,
        vin: r.vin,
        firstMaintenance: first.get(r.vin)?.getTime() === r.openedAt.getTime(),
        at: at.toISOString(),
      }),
    ),
  );
}

function publishOne<T extends Topic>(db: Db, topic: T, key: string, payload: EventTopics[T]) {
  return publishEvents(db, eventTables, [event(topic, key, payload)]);
}

export const publishComplaintOpened = (db: Db, c: ComplaintRow) =>
  publishOne(db, 'service.complaint_opened', c.id, {
    complaintId: c.id,
    customerId: c.customerId,
    dealerCode: c.dealerCode,
    severity: c.severity,
    at: c.openedAt.toISOString(),
  });

export const publishComplaintResolved = (db: Db, c: ComplaintRow) =>
  publishOne(db, 'service.complaint_resolved', c.id, {
    complaintId: c.id,
    customerId: c.customerId,
    dealerCode: c.dealerCode,
    at: (c.resolvedAt ?? c.openedAt).toISOString(),
  });

export const publishRoadsideClosed = (db: Db, c: RoadsideCaseRow) =>
  publishOne(db, 'service.roadside_closed', c.id, {
    caseId: c.id,
    customerId: c.customerId,
    dealerCode: c.dealerCode,
    vin: c.vin,
    at: (c.closedAt ?? c.openedAt).toISOString(),
  });
