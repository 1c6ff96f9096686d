import { defineOutbox } from '@cx/platform';
import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  date,
  index,
  integer,
  jsonb,
  pgSchema,
  primaryKey,
  text,
  timestamp,
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
export const eventKindEnum = customerSchema.enum('event_kind', [
  'MODEL_PAGE_VIEWED',
  'TEST_DRIVE_CAMPAIGN_JOINED',
  'COMMUNITY_POSTED',
  'COUPON_CLICKED',
]);
/** Why a consent changed: a source record, the customer's own statement, or a merge/unmerge re-derivation. */
export const consentOriginEnum = customerSchema.enum('consent_origin', [
  'SOURCE_RECORD',
  'DIRECT',
  'MERGE',
  'UNMERGE',
]);
export const marketingChannelEnum = customerSchema.enum('marketing_channel', ['SMS', 'PUSH']);

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
    /** Set by a PIPL erasure (privacy/erase.ts): the row then keeps only its id. */
    erasedAt: timestamp('erased_at', { withTimezone: true }),
    ...timestamps,
  },
  (t) => [
    index('customers_phone_idx').on(t.phone),
    // Live customers of a city, newest first: segment counts by city answer from the index alone
    // (a heap visit per member at 1M customers), and search by city pages in index order.
    index('customers_live_city_created_idx')
      .on(t.city, t.createdAt.desc(), t.id.desc())
      .where(sql`merged_into is null`),
    index('customers_name_prefix_idx').on(t.displayName.op('text_pattern_ops')),
    // Only set values are ever looked up (`= any(...)`, `= $1`, both imply not null): most
    // customers were never merged and have no preferred dealer, and need no entry here. Each new
    // customer costs two index entries fewer (bench/PROFILE.md, session 10).
    index('customers_merged_into_idx').on(t.mergedInto).where(sql`merged_into is not null`),
    index('customers_preferred_dealer_idx')
      .on(t.preferredDealerCode)
      .where(sql`preferred_dealer_code is not null`),
    // Segment members and search pages: live customers, newest first.
    index('customers_live_created_idx').on(t.createdAt.desc(), t.id.desc()).where(sql`merged_into is null`),
  ],
);

/** A deterministic key that resolves records to one person. */
export const identities = customerSchema.table(
  'identities',
  {
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
    // The natural key is the primary key, and its one index serves both the key's uniqueness per
    // source (ON CONFLICT infers it by its columns, in any order) and lookups by (kind, value)
    // across sources. No surrogate id: nothing referred to it, and its random-uuid index cost
    // every ingested identity an index entry on a random page.
    primaryKey({ name: 'identities_pkey', columns: [t.kind, t.valueKey, t.source] }),
    index('identities_customer_idx').on(t.customerId),
  ],
);

/** Every record a source sent, kept as received so that merges can be undone and re-derived. */
export const sourceRecords = customerSchema.table(
  'source_records',
  {
    source: sourceEnum('source').notNull(),
    externalId: text('external_id').notNull(),
    customerId: uuid('customer_id').notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    payloadHash: text('payload_hash').notNull(),
    observedAt: timestamp('observed_at', { withTimezone: true }).notNull(),
    ...timestamps,
  },
  (t) => [
    // Keyed by what the source calls it (merge ledgers and unmerge refer to records so).
    primaryKey({ name: 'source_records_pkey', columns: [t.source, t.externalId] }),
    index('source_records_customer_idx').on(t.customerId),
  ],
);

/**
 * Lock anchors for identity resolution: one row per match key (verified phone, national ID hash)
 * ever ingested, as a 64-bit hash of the key (rows of source record keys that batches claimed
 * before session 10 stay, unused). An ingest batch locks its
 * keys' rows (inserting the missing ones), so two batches carrying the same new phone cannot both
 * create a customer for it, while batches with disjoint keys run side by side. Row locks rather
 * than advisory locks: a batch holds thousands, more than Postgres's shared lock table holds.
 * A hash collision only makes two batches wait for each other. The table is UNLOGGED (migration
 * 0008): the rows carry nothing a claim cannot re-insert, so they need no WAL.
 */
export const resolutionKeys = customerSchema.table('resolution_keys', {
  keyHash: bigint('key_hash', { mode: 'bigint' }).primaryKey(),
});

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
  (t) => [
    primaryKey({ columns: [t.customerId, t.key] }),
    // Segment EXISTS probes and semi-joins by key answer from the index alone.
    index('tags_key_customer_idx').on(t.key, t.customerId, t.expiresAt),
  ],
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
  (t) => [
    primaryKey({ columns: [t.customerId, t.purpose] }),
    index('consents_granted_idx').on(t.purpose, t.customerId).where(sql`granted`),
  ],
);

/**
 * Every consent statement and change, newest last: DIRECT rows are the customer's own statements
 * (they take part in deriving the current state); the others record changes derived from source
 * records or from a merge or unmerge.
 */
export const consentHistory = customerSchema.table(
  'consent_history',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    customerId: uuid('customer_id').notNull(),
    purpose: consentPurposeEnum('purpose').notNull(),
    granted: boolean('granted').notNull(),
    origin: consentOriginEnum('origin').notNull(),
    source: sourceEnum('source'),
    actor: text('actor').notNull(),
    note: text('note'),
    /** When the statement was made; for derived rows, when the state changed. */
    effectiveAt: timestamp('effective_at', { withTimezone: true }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('consent_history_customer_idx').on(t.customerId, t.createdAt.desc(), t.id.desc()),
    // Every ingest batch asks whether its customers made direct statements; few ever do, so this
    // index stays small and answers without reading their history (a 0.3M-row table was scanned
    // at 24 ms a batch, bench/PROFILE.md, session 10).
    index('consent_history_direct_idx').on(t.customerId).where(sql`origin = 'DIRECT'`),
  ],
);

/** Behavior events as clients recorded them; the client's event id makes re-sends idempotent. */
export const customerEvents = customerSchema.table(
  'customer_events',
  {
    eventId: text('event_id').primaryKey(),
    /** The id the client named (possibly merged away); tags follow it to its survivor. */
    customerId: uuid('customer_id').notNull(),
    kind: eventKindEnum('kind').notNull(),
    subject: text('subject'),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('customer_events_customer_idx').on(t.customerId, t.occurredAt)],
);

/**
 * A local projection of other subgraphs' facts about a customer, fed by their events; the
 * predictive tag rules read it, never another subgraph's tables.
 */
export const customerFacts = customerSchema.table('customer_facts', {
  customerId: uuid('customer_id').primaryKey(),
  lastServiceAt: timestamp('last_service_at', { withTimezone: true }),
  lastServiceMileageKm: integer('last_service_mileage_km'),
  lastNpsScore: integer('last_nps_score'),
  lastNpsAt: timestamp('last_nps_at', { withTimezone: true }),
  openComplaints: integer('open_complaints').notNull().default(0),
  /** When the customer's oldest current vehicle became theirs: its age is computed at rule time. */
  vehicleSince: timestamp('vehicle_since', { withTimezone: true }),
  mileageKm: integer('mileage_km'),
  familyChangedAt: timestamp('family_changed_at', { withTimezone: true }),
  /** Null while unknown, so that owned-brand tags from elsewhere are kept until facts arrive. */
  ownedBrands: text('owned_brands').array(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/** A local projection of which dealers a customer deals with (sales, service), fed by events. */
export const dealerRelationships = customerSchema.table(
  'dealer_relationships',
  {
    customerId: uuid('customer_id').notNull(),
    dealerCode: text('dealer_code').notNull(),
    /** e.g. LEAD, PURCHASE, SERVICE */
    kind: text('kind').notNull(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.customerId, t.dealerCode, t.kind] }),
    index('dealer_relationships_dealer_idx').on(t.dealerCode, t.customerId),
  ],
);

/** A saved tag expression; members are evaluated live, so a segment never goes stale. */
export const segments = customerSchema.table('segments', {
  id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
  name: text('name').notNull().unique('segments_name_key'),
  expression: jsonb('expression').$type<SegmentExpression>().notNull(),
  createdBy: text('created_by').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/** An audit row per marketing export: who exported which segment through which channel, and how many. */
export const segmentExports = customerSchema.table(
  'segment_exports',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    segmentId: uuid('segment_id').notNull(),
    channel: marketingChannelEnum('channel').notNull(),
    size: integer('size').notNull(),
    actor: text('actor').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('segment_exports_segment_idx').on(t.segmentId)],
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
    /** Ledger order, strictly increasing (created_at ties within a batch and under a fixed test clock). */
    seq: bigserial('seq', { mode: 'number' }).notNull(),
    undoneAt: timestamp('undone_at', { withTimezone: true }),
    undoneBy: text('undone_by'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('merge_records_survivor_idx').on(t.survivorId),
    index('merge_records_merged_idx').on(t.mergedId),
  ],
);

/**
 * PIPL erasures (customerErase): one per person (the root of the merge tree), who asked, when and
 * why, and the merged ids it covered. Rows outlive the erased data: they are the audit trail.
 */
export const erasures = customerSchema.table('erasures', {
  id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
  customerId: uuid('customer_id').notNull().unique('erasures_customer_key'),
  mergedIds: uuid('merged_ids').array().notNull(),
  reason: text('reason').notNull(),
  requestedBy: text('requested_by').notNull(),
  requestedAt: timestamp('requested_at', { withTimezone: true }).notNull(),
});

/** Each subgraph's progress on an erasure: completed when its 'customer.erasure_completed' arrives. */
export const erasureSteps = customerSchema.table(
  'erasure_steps',
  {
    erasureId: uuid('erasure_id').notNull(),
    subgraph: text('subgraph').notNull(),
    completedAt: timestamp('completed_at', { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.erasureId, t.subgraph] })],
);

/** The outbox (customer.merged, customer.unmerged, customer.consent_changed), relay state and inbox. */
export const { outbox, relayState, inbox } = defineOutbox(customerSchema);
export const eventTables = { outbox, relayState, inbox };

export interface IdentityKey {
  kind: (typeof identityKindEnum.enumValues)[number];
  source: Source;
  valueKey: string;
}
export interface SourceRecordKey {
  source: Source;
  externalId: string;
}

/** A segment expression as stored: exactly one operator or atom per node. */
export type SegmentExpression =
  | { and: SegmentExpression[] }
  | { or: SegmentExpression[] }
  | { not: SegmentExpression }
  | { tag: string }
  | { city: string }
  | { ownsBrand: string }
  | { consent: (typeof consentPurposeEnum.enumValues)[number] };

export type MergeRecordRow = typeof mergeRecords.$inferSelect;
export type SourceRecordRow = typeof sourceRecords.$inferSelect;
export type CustomerRow = typeof customers.$inferSelect;
export type IdentityRow = typeof identities.$inferSelect;
export type TagRow = typeof tags.$inferSelect;
export type ConsentRow = typeof consents.$inferSelect;
export type Source = (typeof sourceEnum.enumValues)[number];
export type ConsentPurpose = (typeof consentPurposeEnum.enumValues)[number];
export type EventKind = (typeof eventKindEnum.enumValues)[number];
export type ConsentHistoryRow = typeof consentHistory.$inferSelect;
export type CustomerEventRow = typeof customerEvents.$inferSelect;
export type CustomerFactsRow = typeof customerFacts.$inferSelect;
export type SegmentRow = typeof segments.$inferSelect;
export type SegmentExportRow = typeof segmentExports.$inferSelect;
export type ErasureRow = typeof erasures.$inferSelect;
export type ErasureStepRow = typeof erasureSteps.$inferSelect;
