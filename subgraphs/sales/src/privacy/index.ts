import { type Db, ERASED_TEXT, scrubRows, subgraphPrivacy } from '@cx/platform';
import { inArray } from 'drizzle-orm';
import { customerAlias } from '../aliases/tables.ts';
import {
  eventTables,
  followUps,
  leadEvents,
  leadHandoffs,
  leads,
  salesOrders,
  testDrives,
} from '../db/schema.ts';
import { erasureReceipts } from './tables.ts';

/** The sales section of a PIPL export; its shape is documented on CustomerDataExport.salesData. */
async function collect(db: Db, ids: string[]) {
  const [leadRows, orders, handoffs, drives] = await Promise.all([
    db.select().from(leads).where(inArray(leads.customerId, ids)),
    db.select().from(salesOrders).where(inArray(salesOrders.customerId, ids)),
    db.select().from(leadHandoffs).where(inArray(leadHandoffs.customerId, ids)),
    db.select().from(testDrives).where(inArray(testDrives.customerId, ids)),
  ]);
  const leadIds = leadRows.map((l) => l.id);
  const [events, followUpRows] =
    leadIds.length === 0
      ? [[], []]
      : await Promise.all([
          db.select().from(leadEvents).where(inArray(leadEvents.leadId, leadIds)),
          db.select().from(followUps).where(inArray(followUps.leadId, leadIds)),
        ]);
  return {
    leads: leadRows,
    leadEvents: events,
    leadHandoffs: handoffs,
    followUps: followUpRows,
    testDrives: drives,
    orders,
  };
}

/**
 * Erases the personal free text sales holds: the lead's city and lost reason, hand-off reasons,
 * follow-up, lead-timeline and test-drive notes. Leads, orders (amounts, models, dates) and test
 * drives stay for the funnel and revenue figures; they now point at an anonymized customer.
 */
async function erase(tx: Db, ids: readonly string[]) {
  const leadIds = (
    await tx
      .select({ id: leads.id })
      .from(leads)
      .where(inArray(leads.customerId, [...ids]))
  ).map((l) => l.id);
  return {
    leads: await scrubRows(tx, leads, leads.customerId, ids, { city: null, lostReason: null }),
    lead_handoffs: await scrubRows(tx, leadHandoffs, leadHandoffs.customerId, ids, { reason: ERASED_TEXT }),
    test_drives: await scrubRows(tx, testDrives, testDrives.customerId, ids, { note: null }),
    follow_ups: await scrubRows(tx, followUps, followUps.leadId, leadIds, { note: null }),
    lead_events: await scrubRows(tx, leadEvents, leadEvents.leadId, leadIds, { note: null }),
  };
}

export const { CustomerDataExport, erasureConsumer } = subgraphPrivacy({
  subgraph: 'sales',
  field: 'salesData',
  outbox: eventTables,
  receipts: erasureReceipts,
  aliases: customerAlias,
  collect,
  erase,
});
