import { defineOutbox } from '@cx/platform';
import { sql } from 'drizzle-orm';
import {
  bigserial,
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

export const serviceSchema = pgSchema('service');

/** Events for other subgraphs (closed repair orders, complaints, roadside cases) and the inbox of consumed ones. */
export const { outbox, relayState, inbox } = defineOutbox(serviceSchema);
export const eventTables = { outbox, relayState, inbox };
export { customerAlias } from '../aliases/tables.ts';
export { erasureReceipts } from '../privacy/tables.ts';

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

export const eventSourceEnum = serviceSchema.enum('event_source', ['API', 'INGEST']);
export const appointmentChannelEnum = serviceSchema.enum('appointment_channel', ['APP', 'PHONE', 'WALK_IN']);
export const appointmentStatusEnum = serviceSchema.enum('appointment_status', ['BOOKED', 'CANCELLED']);
export const warrantyClaimStatusEnum = serviceSchema.enum('warranty_claim_status', [
  'SUBMITTED',
  'APPROVED',
  'REJECTED',
  'PAID',
]);
export const roadsideKindEnum = serviceSchema.enum('roadside_kind', [
  'BREAKDOWN',
  'FLAT_TIRE',
  'BATTERY',
  'LOCKOUT',
  'FUEL',
  'ACCIDENT',
]);
export const roadsideStatusEnum = serviceSchema.enum('roadside_status', ['OPEN', 'CLOSED']);
export const roadsideResolutionEnum = serviceSchema.enum('roadside_resolution', [
  'FIXED_ON_SITE',
  'TOWED_TO_DEALER',
  'CANCELLED_BY_CUSTOMER',
]);
export const careReminderKindEnum = serviceSchema.enum('care_reminder_kind', [
  'FIRST_MAINTENANCE',
  'PERIODIC_MAINTENANCE',
  'WARRANTY_EXPIRY',
  'DELIVERY_TIPS',
]);
export const careReminderStatusEnum = serviceSchema.enum('care_reminder_status', [
  'PENDING',
  'DONE',
  'DISMISSED',
]);

const at = (name: string) => timestamp(name, { withTimezone: true });

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
    /**
     * SLA deadlines, fixed when the complaint is opened: a trigger (migration 0001) fills them from
     * complaint_sla_policies for every insert path (API, DMS, seed), so a later policy change never
     * turns a complaint handled on time into a breach.
     */
    acknowledgeDueAt: at('acknowledge_due_at'),
    resolveDueAt: at('resolve_due_at'),
    openedBy: text('opened_by'),
    acknowledgedBy: text('acknowledged_by'),
    resolvedBy: text('resolved_by'),
    resolution: text('resolution'),
  },
  (t) => [
    index('complaints_customer_opened_idx').on(t.customerId, t.openedAt.desc(), t.id.desc()),
    index('complaints_dealer_idx').on(t.dealerCode, t.openedAt.desc()),
  ],
);

/** Every status a repair order took, when and by whom: the RepairOrder.timeline. */
export const repairOrderEvents = serviceSchema.table(
  'repair_order_events',
  {
    // A sequence, not a uuid: steps taken at the same instant keep their order.
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    repairOrderId: uuid('repair_order_id').notNull(),
    fromStatus: repairOrderStatusEnum('from_status'),
    toStatus: repairOrderStatusEnum('to_status').notNull(),
    source: eventSourceEnum('source').notNull(),
    actor: text('actor').notNull(),
    note: text('note'),
    occurredAt: at('occurred_at').notNull(),
  },
  (t) => [index('repair_order_events_order_idx').on(t.repairOrderId, t.occurredAt.desc(), t.id.desc())],
);

/** Service bays per dealer: how many appointments a slot can hold, and the opening hours (Asia/Shanghai). */
export const serviceCapacity = serviceSchema.table('service_capacity', {
  dealerCode: text('dealer_code').primaryKey(),
  bays: integer('bays').notNull(),
  slotMinutes: integer('slot_minutes').notNull(),
  /** Minutes after local midnight. */
  opensAtMinute: integer('opens_at_minute').notNull(),
  closesAtMinute: integer('closes_at_minute').notNull(),
  updatedAt: at('updated_at').notNull(),
  updatedBy: text('updated_by').notNull(),
});

export const appointments = serviceSchema.table(
  'appointments',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    customerId: uuid('customer_id').notNull(),
    vin: text('vin').notNull(),
    dealerCode: text('dealer_code').notNull(),
    slotStart: at('slot_start').notNull(),
    slotEnd: at('slot_end').notNull(),
    channel: appointmentChannelEnum('channel').notNull(),
    status: appointmentStatusEnum('status').notNull().default('BOOKED'),
    note: text('note'),
    bookedAt: at('booked_at').notNull(),
    bookedBy: text('booked_by').notNull(),
    cancelledAt: at('cancelled_at'),
    cancelledBy: text('cancelled_by'),
    cancelReason: text('cancel_reason'),
  },
  (t) => [
    index('appointments_dealer_slot_idx').on(t.dealerCode, t.slotStart.desc(), t.id.desc()),
    index('appointments_customer_slot_idx').on(t.customerId, t.slotStart.desc(), t.id.desc()),
    // One vehicle cannot hold two bookings for the same slot, whichever channel they came through.
    uniqueIndex('appointments_vin_slot_booked_uq').on(t.vin, t.slotStart).where(sql`status = 'BOOKED'`),
  ],
);

export const warrantyClaims = serviceSchema.table(
  'warranty_claims',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    repairOrderId: uuid('repair_order_id').notNull(),
    vin: text('vin').notNull(),
    status: warrantyClaimStatusEnum('status').notNull().default('SUBMITTED'),
    description: text('description').notNull(),
    amount: numeric('amount', { precision: 12, scale: 2 }).notNull(),
    currency: text('currency').notNull().default('CNY'),
    filedAt: at('filed_at').notNull(),
    filedBy: text('filed_by').notNull(),
    decidedAt: at('decided_at'),
    decidedBy: text('decided_by'),
    decisionNote: text('decision_note'),
    paidAt: at('paid_at'),
  },
  (t) => [index('warranty_claims_order_idx').on(t.repairOrderId, t.filedAt.desc(), t.id.desc())],
);

export const roadsideCases = serviceSchema.table(
  'roadside_cases',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    customerId: uuid('customer_id').notNull(),
    vin: text('vin').notNull(),
    dealerCode: text('dealer_code'),
    kind: roadsideKindEnum('kind').notNull(),
    status: roadsideStatusEnum('status').notNull().default('OPEN'),
    location: text('location').notNull(),
    latitude: doublePrecision('latitude'),
    longitude: doublePrecision('longitude'),
    description: text('description'),
    resolution: roadsideResolutionEnum('resolution'),
    note: text('note'),
    openedAt: at('opened_at').notNull(),
    openedBy: text('opened_by').notNull(),
    closedAt: at('closed_at'),
    closedBy: text('closed_by'),
  },
  (t) => [
    index('roadside_cases_customer_idx').on(t.customerId, t.openedAt.desc(), t.id.desc()),
    // At most one open case per vehicle, even under concurrent calls.
    uniqueIndex('roadside_cases_vin_open_uq').on(t.vin).where(sql`status = 'OPEN'`),
  ],
);

/** How long a dealer has to acknowledge and to resolve a complaint, per severity (seeded: 2 h and 72 h). */
export const complaintSlaPolicies = serviceSchema.table('complaint_sla_policies', {
  severity: severityEnum('severity').primaryKey(),
  acknowledgeMinutes: integer('acknowledge_minutes').notNull(),
  resolveMinutes: integer('resolve_minutes').notNull(),
  updatedAt: at('updated_at').notNull().defaultNow(),
  updatedBy: text('updated_by').notNull().default('seed'),
});

/**
 * A local projection of facts owned by other subgraphs (delivery date from sales, owner and
 * mileage from vehicle), which the care-reminder rules need: service never reads their tables.
 * Repair-order ingest fills it from visits; events/consumers.ts from 'sales.order_delivered' and
 * 'vehicle.ownership_changed', both through facts/vehicleFacts.ts#recordVehicleFacts.
 */
export const vehicleFacts = serviceSchema.table(
  'vehicle_facts',
  {
    vin: text('vin').primaryKey(),
    customerId: uuid('customer_id'),
    /** The dealer that looks after the car: the selling dealer, then the latest servicing dealer. */
    dealerCode: text('dealer_code'),
    deliveredAt: at('delivered_at'),
    mileageKm: integer('mileage_km'),
    mileageAt: at('mileage_at'),
    updatedAt: at('updated_at').notNull(),
  },
  (t) => [index('vehicle_facts_delivered_idx').on(t.deliveredAt)],
);

export const careReminders = serviceSchema.table(
  'care_reminders',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    vin: text('vin').notNull(),
    customerId: uuid('customer_id'),
    dealerCode: text('dealer_code'),
    kind: careReminderKindEnum('kind').notNull(),
    /** Which occurrence, e.g. P2 for the second periodic maintenance: a rule fires once per period. */
    duePeriod: text('due_period').notNull(),
    dueAt: at('due_at').notNull(),
    reason: text('reason').notNull(),
    status: careReminderStatusEnum('status').notNull().default('PENDING'),
    createdAt: at('created_at').notNull(),
    closedAt: at('closed_at'),
    closedBy: text('closed_by'),
  },
  (t) => [
    uniqueIndex('care_reminders_once_uq').on(t.vin, t.kind, t.duePeriod),
    index('care_reminders_dealer_idx').on(t.dealerCode, t.dueAt.desc(), t.id.desc()),
    index('care_reminders_customer_idx').on(t.customerId, t.dueAt.desc(), t.id.desc()),
  ],
);

export type RepairOrderRow = typeof repairOrders.$inferSelect;
export type RepairOrderLineRow = typeof repairOrderLines.$inferSelect;
export type ComplaintRow = typeof complaints.$inferSelect;
export type RepairOrderStatus = RepairOrderRow['status'];
export type RepairOrderEventRow = typeof repairOrderEvents.$inferSelect;
export type ServiceCapacityRow = typeof serviceCapacity.$inferSelect;
export type AppointmentRow = typeof appointments.$inferSelect;
export type WarrantyClaimRow = typeof warrantyClaims.$inferSelect;
export type RoadsideCaseRow = typeof roadsideCases.$inferSelect;
export type ComplaintSlaPolicyRow = typeof complaintSlaPolicies.$inferSelect;
export type VehicleFactRow = typeof vehicleFacts.$inferSelect;
export type CareReminderRow = typeof careReminders.$inferSelect;
