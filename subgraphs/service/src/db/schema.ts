import { sql } from 'drizzle-orm';
import {
  index,
  integer,
  jsonb,
  numeric,
  pgSchema,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

export const serviceSchema = pgSchema('service');

export const repairOrderStatusEnum = serviceSchema.enum('repair_order_status', [
  'OPEN',
  'DISPATCHED',
  'IN_REPAIR',
  'QUALITY_CHECK',
  'SETTLED',
  'DELIVERED',
  'CANCELLED',
]);
export const lineKindEnum = serviceSchema.enum('line_kind', ['LABOR', 'PART']);
export const severityEnum = serviceSchema.enum('complaint_severity', ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL']);
export const complaintStatusEnum = serviceSchema.enum('complaint_status', [
  'OPEN',
  'ACKNOWLEDGED',
  'RESOLVED',
  'CLOSED',
]);

export const repairOrders = serviceSchema.table(
  'repair_orders',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    dealerCode: text('dealer_code').notNull(),
    /** The DMS's own id; (dealer, externalId) makes ingest idempotent. */
    externalId: text('external_id'),
    vin: text('vin').notNull(),
    customerId: uuid('customer_id'),
    status: repairOrderStatusEnum('status').notNull().default('OPEN'),
    mileageKm: integer('mileage_km'),
    totalAmount: numeric('total_amount', { precision: 12, scale: 2 }).notNull().default('0'),
    currency: text('currency').notNull().default('CNY'),
    ingestHash: text('ingest_hash'),
    openedAt: timestamp('opened_at', { withTimezone: true }).notNull(),
    closedAt: timestamp('closed_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('repair_orders_dealer_external_uq').on(t.dealerCode, t.externalId),
    index('repair_orders_vin_opened_idx').on(t.vin, t.openedAt.desc(), t.id.desc()),
    index('repair_orders_customer_idx').on(t.customerId),
  ],
);

export const repairOrderLines = serviceSchema.table(
  'repair_order_lines',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    repairOrderId: uuid('repair_order_id').notNull(),
    position: integer('position').notNull(),
    kind: lineKindEnum('kind').notNull(),
    description: text('description').notNull(),
    quantity: numeric('quantity', { precision: 10, scale: 2 }).notNull(),
    unitPrice: numeric('unit_price', { precision: 12, scale: 2 }).notNull(),
  },
  (t) => [uniqueIndex('repair_order_lines_order_pos_uq').on(t.repairOrderId, t.position)],
);

export const complaints = serviceSchema.table(
  'complaints',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    customerId: uuid('customer_id').notNull(),
    dealerCode: text('dealer_code'),
    repairOrderId: uuid('repair_order_id'),
    severity: severityEnum('severity').notNull(),
    status: complaintStatusEnum('status').notNull().default('OPEN'),
    channel: text('channel').notNull().default('CALL_CENTER'),
    description: text('description').notNull(),
    details: jsonb('details').$type<Record<string, unknown>>(),
    openedAt: timestamp('opened_at', { withTimezone: true }).notNull(),
    acknowledgedAt: timestamp('acknowledged_at', { withTimezone: true }),
    resolvedAt: timestamp('resolved_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('complaints_customer_opened_idx').on(t.customerId, t.openedAt.desc(), t.id.desc()),
    index('complaints_dealer_idx').on(t.dealerCode, t.openedAt.desc()),
  ],
);

export type RepairOrderRow = typeof repairOrders.$inferSelect;
export type RepairOrderLineRow = typeof repairOrderLines.$inferSelect;
export type ComplaintRow = typeof complaints.$inferSelect;
