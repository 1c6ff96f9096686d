import { type Db, ERASED_TEXT, scrubRows, subgraphPrivacy } from '@cx/platform';
import { inArray } from 'drizzle-orm';
import { customerAlias } from '../aliases/tables.ts';
import {
  appointments,
  careReminders,
  complaints,
  eventTables,
  repairOrderEvents,
  repairOrderLines,
  repairOrders,
  roadsideCases,
  vehicleFacts,
  warrantyClaims,
} from '../db/schema.ts';
import { erasureReceipts } from './tables.ts';

/** The service section of a PIPL export; its shape is documented on CustomerDataExport.serviceData. */
async function collect(db: Db, ids: string[]) {
  const [orders, booked, roadside, complained, reminders, facts] = await Promise.all([
    db.select().from(repairOrders).where(inArray(repairOrders.customerId, ids)),
    db.select().from(appointments).where(inArray(appointments.customerId, ids)),
    db.select().from(roadsideCases).where(inArray(roadsideCases.customerId, ids)),
    db.select().from(complaints).where(inArray(complaints.customerId, ids)),
    db.select().from(careReminders).where(inArray(careReminders.customerId, ids)),
    db.select().from(vehicleFacts).where(inArray(vehicleFacts.customerId, ids)),
  ]);
  const orderIds = orders.map((o) => o.id);
  const [lines, events, claims] =
    orderIds.length === 0
      ? [[], [], []]
      : await Promise.all([
          db.select().from(repairOrderLines).where(inArray(repairOrderLines.repairOrderId, orderIds)),
          db.select().from(repairOrderEvents).where(inArray(repairOrderEvents.repairOrderId, orderIds)),
          db.select().from(warrantyClaims).where(inArray(warrantyClaims.repairOrderId, orderIds)),
        ]);
  return {
    appointments: booked,
    repairOrders: orders,
    repairOrderLines: lines,
    repairOrderEvents: events,
    warrantyClaims: claims,
    roadsideCases: roadside,
    complaints: complained,
    careReminders: reminders,
    vehicleFacts: facts,
  };
}

/**
 * Erases the personal free text service holds: complaint descriptions, details and resolutions,
 * roadside locations, coordinates and notes, appointment notes and cancel reasons, repair-order
 * timeline notes and warranty-claim texts of the customer's repair orders. Amounts, statuses,
 * dates, lines and care reminders stay (non-personal aggregates and vehicle history).
 */
async function erase(tx: Db, ids: readonly string[]) {
  const orders = await tx
    .select({ id: repairOrders.id })
    .from(repairOrders)
    .where(inArray(repairOrders.customerId, [...ids]));
  const orderIds = orders.map((o) => o.id);
  return {
    complaints: await scrubRows(tx, complaints, complaints.customerId, ids, {
      description: ERASED_TEXT,
      details: null,
      resolution: null,
    }),
    roadside_cases: await scrubRows(tx, roadsideCases, roadsideCases.customerId, ids, {
      location: ERASED_TEXT,
      latitude: null,
      longitude: null,
      description: null,
      note: null,
    }),
    appointments: await scrubRows(tx, appointments, appointments.customerId, ids, {
      note: null,
      cancelReason: null,
    }),
    repair_order_events: await scrubRows(tx, repairOrderEvents, repairOrderEvents.repairOrderId, orderIds, {
      note: null,
    }),
    warranty_claims: await scrubRows(tx, warrantyClaims, warrantyClaims.repairOrderId, orderIds, {
      description: ERASED_TEXT,
      decisionNote: null,
    }),
    repair_orders_kept: orders.length,
  };
}

export const { CustomerDataExport, erasureConsumer } = subgraphPrivacy({
  subgraph: 'service',
  field: 'serviceData',
  outbox: eventTables,
  receipts: erasureReceipts,
  aliases: customerAlias,
  collect,
  erase,
});
