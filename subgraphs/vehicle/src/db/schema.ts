import { defineOutbox } from '@cx/platform';
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

export const vehicleSchema = pgSchema('vehicle');

/** Ownership changes for other subgraphs (service's care reminders, feedback's projections). */
export const { outbox, relayState, inbox } = defineOutbox(vehicleSchema);
export const eventTables = { outbox, relayState, inbox };
export { customerAlias } from '../aliases/tables.ts';
export { erasureReceipts } from '../privacy/tables.ts';

export const powertrainEnum = vehicleSchema.enum('powertrain', ['ICE', 'HEV', 'PHEV', 'BEV']);
export const mileageSourceEnum = vehicleSchema.enum('mileage_source', ['SERVICE', 'TELEMATICS', 'DMS']);

export const models = vehicleSchema.table('models', {
  code: text('code').primaryKey(),
  brand: text('brand').notNull(),
  series: text('series').notNull(),
  name: text('name').notNull(),
  modelYear: integer('model_year').notNull(),
  powertrain: powertrainEnum('powertrain').notNull(),
  priceMin: numeric('price_min', { precision: 12, scale: 2 }).notNull(),
  priceMax: numeric('price_max', { precision: 12, scale: 2 }).notNull(),
});

export const vehicles = vehicleSchema.table('vehicles', {
  vin: text('vin').primaryKey(),
  modelCode: text('model_code').notNull(),
  color: text('color'),
  /** The dealer that sold the vehicle, when known. */
  dealerCode: text('dealer_code'),
  /** Hash of the last ingested record, so re-sends are recognised as UNCHANGED. */
  ingestHash: text('ingest_hash'),
  attributes: jsonb('attributes').$type<Record<string, unknown>>(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Who owned a vehicle when. The current owner has no endedAt. */
export const ownerships = vehicleSchema.table(
  'ownerships',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    vin: text('vin').notNull(),
    customerId: uuid('customer_id').notNull(),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
    endedAt: timestamp('ended_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('ownerships_customer_current_idx').on(t.customerId).where(sql`${t.endedAt} is null`),
    index('ownerships_vin_idx').on(t.vin, t.startedAt.desc()),
  ],
);

export const mileageReadings = vehicleSchema.table(
  'mileage_readings',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    vin: text('vin').notNull(),
    km: integer('km').notNull(),
    source: mileageSourceEnum('source').notNull(),
    readAt: timestamp('read_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    index('mileage_vin_read_idx').on(t.vin, t.readAt.desc()),
    // A re-sent reading (same vehicle, source and instant) is recognised instead of stored twice.
    uniqueIndex('mileage_vin_source_read_uq').on(t.vin, t.source, t.readAt),
  ],
);

export type ModelRow = typeof models.$inferSelect;
export type VehicleRow = typeof vehicles.$inferSelect;
export type OwnershipRow = typeof ownerships.$inferSelect;
export type MileageRow = typeof mileageReadings.$inferSelect;
