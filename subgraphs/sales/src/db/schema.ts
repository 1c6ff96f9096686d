import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  doublePrecision,
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

export const salesSchema = pgSchema('sales');

export const leadSourceEnum = salesSchema.enum('lead_source', [
  'WEBSITE',
  'APP',
  'MEDIA_PLATFORM',
  'CALL_CENTER',
  'SHOWROOM',
  'SERVICE_HANDOFF',
  'CAMPAIGN',
]);
export const leadStatusEnum = salesSchema.enum('lead_status', [
  'NEW',
  'ASSIGNED',
  'CONTACTED',
  'VISITED',
  'TEST_DRIVEN',
  'ORDERED',
  'WON',
  'LOST',
]);
export const leadGradeEnum = salesSchema.enum('lead_grade', ['H', 'A', 'B', 'C']);
export const orderStatusEnum = salesSchema.enum('order_status', [
  'CREATED',
  'DEPOSIT_PAID',
  'ALLOCATED',
  'INVOICED',
  'DELIVERED',
  'CANCELLED',
]);

export const dealers = salesSchema.table('dealers', {
  code: text('code').primaryKey(),
  name: text('name').notNull(),
  city: text('city').notNull(),
  province: text('province').notNull(),
  region: text('region').notNull(),
  latitude: doublePrecision('latitude'),
  longitude: doublePrecision('longitude'),
  /** Minutes allowed between assignment and first contact. */
  slaMinutes: integer('sla_minutes').notNull().default(5),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

export const consultants = salesSchema.table(
  'consultants',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    dealerCode: text('dealer_code').notNull(),
    name: text('name').notNull(),
    /** Brands or model codes the consultant is trained on. */
    skills: text('skills').array().notNull().default(sql`'{}'::text[]`),
    capacity: integer('capacity').notNull().default(30),
    active: boolean('active').notNull().default(true),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('consultants_dealer_idx').on(t.dealerCode)],
);

export const leads = salesSchema.table(
  'leads',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    customerId: uuid('customer_id').notNull(),
    dealerCode: text('dealer_code'),
    consultantId: uuid('consultant_id'),
    modelCode: text('model_code'),
    source: leadSourceEnum('source').notNull(),
    status: leadStatusEnum('status').notNull().default('NEW'),
    grade: leadGradeEnum('grade').notNull().default('C'),
    city: text('city'),
    campaignCode: text('campaign_code'),
    lostReason: text('lost_reason'),
    assignedAt: timestamp('assigned_at', { withTimezone: true }),
    firstContactAt: timestamp('first_contact_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('leads_customer_created_idx').on(t.customerId, t.createdAt.desc(), t.id.desc()),
    index('leads_dealer_created_idx').on(t.dealerCode, t.createdAt.desc()),
    index('leads_consultant_idx').on(t.consultantId),
  ],
);

export const salesOrders = salesSchema.table(
  'sales_orders',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    customerId: uuid('customer_id').notNull(),
    leadId: uuid('lead_id'),
    dealerCode: text('dealer_code').notNull(),
    vin: text('vin'),
    modelCode: text('model_code'),
    status: orderStatusEnum('status').notNull().default('CREATED'),
    totalAmount: numeric('total_amount', { precision: 12, scale: 2 }).notNull(),
    currency: text('currency').notNull().default('CNY'),
    deliveredAt: timestamp('delivered_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('orders_customer_created_idx').on(t.customerId, t.createdAt.desc(), t.id.desc()),
    index('orders_vin_idx').on(t.vin),
    index('orders_dealer_idx').on(t.dealerCode, t.createdAt.desc()),
  ],
);

/** One row per assignment decision; the latest per consultant drives round robin. */
export const leadAssignments = salesSchema.table(
  'lead_assignments',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    leadId: uuid('lead_id').notNull(),
    consultantId: uuid('consultant_id').notNull(),
    dealerCode: text('dealer_code').notNull(),
    /** `<dealer rule>/<distribution rule>`, e.g. CITY_DEALER/LEAST_OPEN_LEADS (see leads/assignment.ts). */
    reason: text('reason').notNull(),
    assignedAt: timestamp('assigned_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    index('lead_assignments_lead_idx').on(t.leadId),
    index('lead_assignments_consultant_assigned_idx').on(t.consultantId, t.assignedAt),
  ],
);

/**
 * Events written in the same transaction as the change they describe. `position` is the public
 * stream cursor: null at insert, then assigned after commit by the single relay (outbox/relay.ts),
 * gap-free and in the order the relay sees commits. The bigserial id is never exposed: ids are
 * taken at insert, so they commit out of order and would let a reader skip an event.
 */
export const outbox = salesSchema.table(
  'outbox',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    topic: text('topic').notNull(),
    dealerCode: text('dealer_code'),
    payload: jsonb('payload').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    position: bigint('position', { mode: 'number' }).unique('outbox_position_key'),
  },
  (t) => [
    // Stream reads: `topic = $1 [and dealer_code = $2] and position > $after order by position limit n`.
    index('outbox_topic_position_idx').on(t.topic, t.position),
    index('outbox_topic_dealer_position_idx').on(t.topic, t.dealerCode, t.position),
    // The relay only ever scans rows still waiting for a position.
    index('outbox_unpositioned_idx').on(t.id).where(sql`position is null`),
  ],
);

export type DealerRow = typeof dealers.$inferSelect;
export type ConsultantRow = typeof consultants.$inferSelect;
export type LeadRow = typeof leads.$inferSelect;
export type SalesOrderRow = typeof salesOrders.$inferSelect;
export type LeadAssignmentRow = typeof leadAssignments.$inferSelect;
export type OutboxRow = typeof outbox.$inferSelect;

/**
 * Leads handed over by service advisors: which repair order surfaced the opportunity and why.
 * The RepairOrder belongs to the service subgraph; sales keeps only its id (an entity reference).
 */
export const leadHandoffs = salesSchema.table(
  'lead_handoffs',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    leadId: uuid('lead_id').notNull(),
    repairOrderId: uuid('repair_order_id').notNull(),
    customerId: uuid('customer_id').notNull(),
    reason: text('reason').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('lead_handoffs_order_lead_uq').on(t.repairOrderId, t.leadId),
    index('lead_handoffs_lead_idx').on(t.leadId, t.createdAt),
  ],
);

export type LeadHandoffRow = typeof leadHandoffs.$inferSelect;
