import { sql } from 'drizzle-orm';
import {
  boolean,
  date,
  index,
  integer,
  jsonb,
  pgSchema,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

export const customerSchema = pgSchema('customer');

export const sourceEnum = customerSchema.enum('source', [
  'APP',
  'WEBSITE',
  'MINI_PROGRAM',
  'DMS',
  'CALL_CENTER',
  'MEDIA_PLATFORM',
  'ECOMMERCE',
]);
export const identityKindEnum = customerSchema.enum('identity_kind', [
  'PHONE',
  'NATIONAL_ID',
  'EMAIL',
  'EXTERNAL_ID',
]);
export const tagKindEnum = customerSchema.enum('tag_kind', ['FACT', 'BEHAVIOR', 'PREDICTIVE']);
export const consentPurposeEnum = customerSchema.enum('consent_purpose', [
  'MARKETING_SMS',
  'MARKETING_PUSH',
  'DATA_SHARING_DEALER',
  'SENSITIVE_ID',
]);
export const genderEnum = customerSchema.enum('gender', ['MALE', 'FEMALE']);

const timestamps = {
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
};

/** The unified (derived) customer. Source records and identities point at it. */
export const customers = customerSchema.table(
  'customers',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    displayName: text('display_name').notNull(),
    phone: text('phone'),
    email: text('email'),
    /** AES-256-GCM ciphertext; the clear value never rests in the table. */
    nationalIdCipher: text('national_id_cipher'),
    nationalIdLast4: text('national_id_last4'),
    gender: genderEnum('gender'),
    birthDate: date('birth_date'),
    city: text('city'),
    province: text('province'),
    preferredDealerCode: text('preferred_dealer_code'),
    mergedInto: uuid('merged_into'),
    ...timestamps,
  },
  (t) => [
    index('customers_phone_idx').on(t.phone),
    index('customers_city_idx').on(t.city),
    index('customers_name_prefix_idx').on(t.displayName.op('text_pattern_ops')),
    index('customers_merged_into_idx').on(t.mergedInto),
  ],
);

/** A deterministic key that resolves records to one person. */
export const identities = customerSchema.table(
  'identities',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    customerId: uuid('customer_id').notNull(),
    kind: identityKindEnum('kind').notNull(),
    source: sourceEnum('source').notNull(),
    /** Normalized value; for NATIONAL_ID the keyed hash (HMAC), never the number. */
    valueKey: text('value_key').notNull(),
    /** What may be shown masked: the phone, the email, the external id, or the ID's last 4. */
    display: text('display').notNull(),
    verified: boolean('verified').notNull().default(false),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('identities_kind_source_value_uq').on(t.kind, t.source, t.valueKey),
    index('identities_kind_value_idx').on(t.kind, t.valueKey),
    index('identities_customer_idx').on(t.customerId),
  ],
);

/** Every record a source sent, kept as received so that merges can be undone and re-derived. */
export const sourceRecords = customerSchema.table(
  'source_records',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    source: sourceEnum('source').notNull(),
    externalId: text('external_id').notNull(),
    customerId: uuid('customer_id').notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    payloadHash: text('payload_hash').notNull(),
    observedAt: timestamp('observed_at', { withTimezone: true }).notNull(),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('source_records_source_external_uq').on(t.source, t.externalId),
    index('source_records_customer_idx').on(t.customerId),
  ],
);

export const tags = customerSchema.table(
  'tags',
  {
    customerId: uuid('customer_id').notNull(),
    key: text('key').notNull(),
    label: text('label').notNull(),
    kind: tagKindEnum('kind').notNull(),
    score: integer('score'),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    ...timestamps,
  },
  (t) => [primaryKey({ columns: [t.customerId, t.key] }), index('tags_key_idx').on(t.key)],
);

export const consents = customerSchema.table(
  'consents',
  {
    customerId: uuid('customer_id').notNull(),
    purpose: consentPurposeEnum('purpose').notNull(),
    granted: boolean('granted').notNull(),
    source: sourceEnum('source').notNull(),
    ...timestamps,
  },
  (t) => [primaryKey({ columns: [t.customerId, t.purpose] })],
);

/** The merge ledger: every merge with its rule and evidence, and what moved, so it can be undone. */
export const mergeRecords = customerSchema.table(
  'merge_records',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    survivorId: uuid('survivor_id').notNull(),
    mergedId: uuid('merged_id').notNull(),
    rule: text('rule').notNull(),
    evidence: jsonb('evidence').$type<Record<string, unknown>>().notNull(),
    source: sourceEnum('source'),
    actor: text('actor').notNull(),
    /** Natural keys of what the merged customer owned, so unmerge can hand each back. */
    movedIdentities: jsonb('moved_identities').$type<IdentityKey[]>().notNull(),
    movedSourceRecords: jsonb('moved_source_records').$type<SourceRecordKey[]>().notNull(),
    undoneAt: timestamp('undone_at', { withTimezone: true }),
    undoneBy: text('undone_by'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('merge_records_survivor_idx').on(t.survivorId),
    index('merge_records_merged_idx').on(t.mergedId),
  ],
);

export interface IdentityKey {
  kind: (typeof identityKindEnum.enumValues)[number];
  source: Source;
  valueKey: string;
}
export interface SourceRecordKey {
  source: Source;
  externalId: string;
}

export type MergeRecordRow = typeof mergeRecords.$inferSelect;
export type SourceRecordRow = typeof sourceRecords.$inferSelect;
export type CustomerRow = typeof customers.$inferSelect;
export type IdentityRow = typeof identities.$inferSelect;
export type TagRow = typeof tags.$inferSelect;
export type ConsentRow = typeof consents.$inferSelect;
export type Source = (typeof sourceEnum.enumValues)[number];
