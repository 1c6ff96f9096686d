import { defineOutbox } from '@cx/platform';
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

/** ISO weekdays (1 = Monday) and a daily window, Asia/Shanghai wall-clock "HH:MM", end exclusive. */
export interface WorkingHours {
  days: number[];
  start: string;
  end: string;
}

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
  /** The second SLA window: minutes after an escalation before the lead is reassigned. */
  escalationMinutes: integer('escalation_minutes').notNull().default(10),
  /** The consultant (a sales manager) SLA breaches are escalated to. */
  managerConsultantId: uuid('manager_consultant_id'),
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
    /** Weekly hours in Asia/Shanghai (see leads/workingHours.ts); null means always available. */
    workingHours: jsonb('working_hours').$type<WorkingHours>(),
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

/** Domain events for other subgraphs ('sales.order_delivered', ...), relayed to the bus. */
export const { outbox: eventOutbox, relayState, inbox } = defineOutbox(salesSchema);
export const eventTables = { outbox: eventOutbox, relayState, inbox };
/** The customer alias map and PIPL erasure receipts (aliases/, privacy/). */
export { customerAlias } from '../aliases/tables.ts';
export { erasureReceipts } from '../privacy/tables.ts';

export const leadEventKindEnum = salesSchema.enum('lead_event_kind', [
  'CREATED',
  'ASSIGNED',
  'ESCALATED',
  'REASSIGNED',
  'REASSIGN_FAILED',
  'CONTACTED',
  'FOLLOWED_UP',
  'STATUS_CHANGED',
  'TEST_DRIVE_SCHEDULED',
  'TEST_DRIVE_COMPLETED',
  'ORDER_CREATED',
  'ORDER_ADVANCED',
  'ORDER_DELIVERED',
]);

/** The lead timeline: one row per thing that happened to a lead, newest first when listed. */
export const leadEvents = salesSchema.table(
  'lead_events',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    leadId: uuid('lead_id').notNull(),
    kind: leadEventKindEnum('kind').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull(),
    /** Who it concerns: the assignee, the consultant escalated to, the one who followed up. */
    consultantId: uuid('consultant_id'),
    fromStatus: leadStatusEnum('from_status'),
    toStatus: leadStatusEnum('to_status'),
    note: text('note'),
  },
  (t) => [index('lead_events_lead_at_idx').on(t.leadId, t.at.desc(), t.id.desc())],
);

export const slaTimerKindEnum = salesSchema.enum('sla_timer_kind', ['ESCALATE', 'REASSIGN']);
export const slaTimerStateEnum = salesSchema.enum('sla_timer_state', ['PENDING', 'FIRED', 'CANCELLED']);

/**
 * SLA timers live in the database so they survive restarts and are fired once across replicas
 * (sla/sweep.ts claims due rows with FOR UPDATE SKIP LOCKED). `consultantId` is the assignee the
 * timer watches: a timer whose lead moved on (contacted, reassigned) is cancelled, not fired.
 */
export const slaTimers = salesSchema.table(
  'sla_timers',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    leadId: uuid('lead_id').notNull(),
    consultantId: uuid('consultant_id').notNull(),
    kind: slaTimerKindEnum('kind').notNull(),
    state: slaTimerStateEnum('state').notNull().default('PENDING'),
    dueAt: timestamp('due_at', { withTimezone: true }).notNull(),
    firedAt: timestamp('fired_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    index('sla_timers_due_idx').on(t.dueAt).where(sql`state = 'PENDING'`),
    index('sla_timers_lead_idx').on(t.leadId).where(sql`state = 'PENDING'`),
  ],
);

export const followUpKindEnum = salesSchema.enum('follow_up_kind', ['CALL', 'WECHAT', 'VISIT']);
export const followUpOutcomeEnum = salesSchema.enum('follow_up_outcome', [
  'REACHED',
  'NO_ANSWER',
  'CALLBACK_REQUESTED',
  'VISIT_SCHEDULED',
  'NOT_INTERESTED',
]);

export const followUps = salesSchema.table(
  'follow_ups',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    leadId: uuid('lead_id').notNull(),
    consultantId: uuid('consultant_id'),
    kind: followUpKindEnum('kind').notNull(),
    outcome: followUpOutcomeEnum('outcome').notNull(),
    note: text('note'),
    at: timestamp('at', { withTimezone: true }).notNull(),
  },
  (t) => [index('follow_ups_lead_at_idx').on(t.leadId, t.at.desc(), t.id.desc())],
);

export const testDriveStatusEnum = salesSchema.enum('test_drive_status', [
  'SCHEDULED',
  'COMPLETED',
  'NO_SHOW',
]);
export const testDriveOutcomeEnum = salesSchema.enum('test_drive_outcome', [
  'LIKED',
  'NEUTRAL',
  'DISLIKED',
  'NO_SHOW',
]);

export const testDrives = salesSchema.table(
  'test_drives',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    leadId: uuid('lead_id').notNull(),
    customerId: uuid('customer_id').notNull(),
    dealerCode: text('dealer_code').notNull(),
    consultantId: uuid('consultant_id'),
    modelCode: text('model_code').notNull(),
    vin: text('vin'),
    slotStart: timestamp('slot_start', { withTimezone: true }).notNull(),
    slotEnd: timestamp('slot_end', { withTimezone: true }).notNull(),
    status: testDriveStatusEnum('status').notNull().default('SCHEDULED'),
    outcome: testDriveOutcomeEnum('outcome'),
    note: text('note'),
    completedAt: timestamp('completed_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    index('test_drives_lead_idx').on(t.leadId, t.slotStart.desc(), t.id.desc()),
    index('test_drives_vin_slot_idx').on(t.vin, t.slotStart),
  ],
);

/** A marketing campaign: leads carry its code; its cost over its period drives channel ROI. */
export const campaigns = salesSchema.table('campaigns', {
  code: text('code').primaryKey(),
  name: text('name').notNull(),
  channel: leadSourceEnum('channel').notNull(),
  cost: numeric('cost', { precision: 14, scale: 2 }).notNull(),
  currency: text('currency').notNull().default('CNY'),
  startsOn: timestamp('starts_on', { withTimezone: true }).notNull(),
  endsOn: timestamp('ends_on', { withTimezone: true }).notNull(),
});

export type LeadEventRow = typeof leadEvents.$inferSelect;
export type SlaTimerRow = typeof slaTimers.$inferSelect;
export type FollowUpRow = typeof followUps.$inferSelect;
export type TestDriveRow = typeof testDrives.$inferSelect;
export type CampaignRow = typeof campaigns.$inferSelect;
