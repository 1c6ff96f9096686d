import { defineOutbox } from '@cx/platform';
import { sql } from 'drizzle-orm';
import {
  boolean,
  date,
  index,
  integer,
  pgSchema,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

export const feedbackSchema = pgSchema('feedback');

export const { outbox, relayState, inbox } = defineOutbox(feedbackSchema);
export const eventTables = { outbox, relayState, inbox };
export { customerAlias } from '../aliases/tables.ts';
export { erasureReceipts } from '../privacy/tables.ts';

export const surveyKindEnum = feedbackSchema.enum('survey_kind', ['NPS', 'CSAT', 'CES']);
export const touchpointEnum = feedbackSchema.enum('touchpoint', [
  'TEST_DRIVE',
  'DELIVERY',
  'FIRST_MAINTENANCE',
  'REPAIR_ORDER_CLOSED',
  'COMPLAINT_RESOLVED',
  'ROADSIDE_CLOSED',
]);
export const suppressionReasonEnum = feedbackSchema.enum('suppression_reason', [
  'FATIGUE',
  'CONSENT',
  'NO_ACTIVE_SURVEY',
  'STALE_TOUCHPOINT',
]);
export const scoreGrainEnum = feedbackSchema.enum('score_grain', ['WEEK', 'MONTH']);
export const scoreDimensionEnum = feedbackSchema.enum('score_dimension', [
  'DEALER',
  'MODEL',
  'REGION',
  'TOUCHPOINT',
]);

export type SurveyKind = (typeof surveyKindEnum.enumValues)[number];
export type Touchpoint = (typeof touchpointEnum.enumValues)[number];
export type SuppressionReason = (typeof suppressionReasonEnum.enumValues)[number];
export type ScoreDimension = (typeof scoreDimensionEnum.enumValues)[number];
export type ScoreGrain = (typeof scoreGrainEnum.enumValues)[number];

/** Survey definitions; the defaults are seeded by a migration, and one survey per touchpoint is active. */
export const surveys = feedbackSchema.table(
  'surveys',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    code: text('code').notNull().unique(),
    kind: surveyKindEnum('kind').notNull(),
    touchpoint: touchpointEnum('touchpoint').notNull(),
    question: text('question').notNull(),
    active: boolean('active').notNull().default(true),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('surveys_active_touchpoint_uq').on(t.touchpoint).where(sql`active`)],
);

/** Columns every touchpoint decision (invitation or suppression) records about its source event. */
const touchpointSource = () => ({
  customerId: uuid('customer_id').notNull(),
  touchpoint: touchpointEnum('touchpoint').notNull(),
  dealerCode: text('dealer_code'),
  sourceTopic: text('source_topic').notNull(),
  /** The touchpoint's own id in the producing subgraph (test drive, order, repair order, ...). */
  sourceRef: text('source_ref').notNull(),
  sourceEventId: uuid('source_event_id').notNull(),
  touchpointAt: timestamp('touchpoint_at', { withTimezone: true }).notNull(),
});

export const invitations = feedbackSchema.table(
  'survey_invitations',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    surveyId: uuid('survey_id')
      .notNull()
      .references(() => surveys.id),
    kind: surveyKindEnum('kind').notNull(),
    ...touchpointSource(),
    modelCode: text('model_code'),
    region: text('region'),
    vin: text('vin'),
    /** sha256 of the token; the clear token only travels to the messaging channel. */
    tokenHash: text('token_hash').notNull().unique(),
    /** Post-complaint surveys are sent regardless of fatigue and do not count towards it. */
    fatigueExempt: boolean('fatigue_exempt').notNull(),
    invitedAt: timestamp('invited_at', { withTimezone: true }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    respondedAt: timestamp('responded_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('invitations_source_uq').on(t.touchpoint, t.sourceRef),
    index('invitations_customer_idx').on(t.customerId, t.invitedAt.desc(), t.id.desc()),
  ],
);

/** Touchpoints that did not get an invitation, and why, so analysts can see what the rules held back. */
export const suppressions = feedbackSchema.table(
  'survey_suppressions',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    ...touchpointSource(),
    surveyId: uuid('survey_id').references(() => surveys.id),
    reason: suppressionReasonEnum('reason').notNull(),
    detail: text('detail').notNull(),
    /** For FATIGUE: the earlier invitation inside the suppression window. */
    blockingInvitationId: uuid('blocking_invitation_id').references(() => invitations.id),
    suppressedAt: timestamp('suppressed_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('suppressions_source_uq').on(t.touchpoint, t.sourceRef),
    index('suppressions_customer_idx').on(t.customerId, t.suppressedAt.desc(), t.id.desc()),
    index('suppressions_reason_idx').on(t.reason, t.suppressedAt.desc(), t.id.desc()),
    index('suppressions_time_idx').on(t.suppressedAt.desc(), t.id.desc()),
  ],
);

export const surveyResponses = feedbackSchema.table(
  'survey_responses',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    customerId: uuid('customer_id').notNull(),
    dealerCode: text('dealer_code'),
    modelCode: text('model_code'),
    region: text('region'),
    kind: surveyKindEnum('kind').notNull(),
    touchpoint: touchpointEnum('touchpoint').notNull(),
    score: integer('score').notNull(),
    comment: text('comment'),
    respondedAt: timestamp('responded_at', { withTimezone: true }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    /** Null for responses imported without an invitation (demo data, history). */
    invitationId: uuid('invitation_id').references(() => invitations.id),
    surveyId: uuid('survey_id').references(() => surveys.id),
  },
  (t) => [
    index('responses_customer_idx').on(t.customerId, t.respondedAt.desc(), t.id.desc()),
    index('responses_dealer_kind_idx').on(t.dealerCode, t.kind, t.respondedAt),
    uniqueIndex('responses_invitation_uq').on(t.invitationId),
  ],
);

/**
 * Score counters per (grain, kind, dimension, Shanghai-local period, group), kept by statement
 * triggers on survey_responses (migration 0002), so every writer, bulk loads included, keeps them
 * exact. A quarter's league table reads a few rows per dealer instead of every response.
 */
export const scoreRollups = feedbackSchema.table(
  'score_rollups',
  {
    grain: scoreGrainEnum('grain').notNull(),
    kind: surveyKindEnum('kind').notNull(),
    dimension: scoreDimensionEnum('dimension').notNull(),
    periodStart: date('period_start', { mode: 'string' }).notNull(),
    groupKey: text('group_key').notNull(),
    responses: integer('responses').notNull().default(0),
    scoreSum: integer('score_sum').notNull().default(0),
    favorable: integer('favorable').notNull().default(0),
    unfavorable: integer('unfavorable').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.grain, t.kind, t.dimension, t.periodStart, t.groupKey] })],
);

/** Projection of 'customer.consent_changed': the latest value per customer and purpose. */
export const consents = feedbackSchema.table(
  'customer_consents',
  {
    customerId: uuid('customer_id').notNull(),
    purpose: text('purpose').notNull(),
    granted: boolean('granted').notNull(),
    changedAt: timestamp('changed_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.customerId, t.purpose] })],
);

/** Projection of 'sales.dealer_changed': the region a dealer's responses are counted in. */
export const dealers = feedbackSchema.table('dealers', {
  code: text('code').primaryKey(),
  region: text('region').notNull(),
  changedAt: timestamp('changed_at', { withTimezone: true }).notNull(),
});

/** Projection of 'vehicle.ownership_changed': a VIN's model, for touchpoints that only carry the VIN. */
export const vehicles = feedbackSchema.table('vehicles', {
  vin: text('vin').primaryKey(),
  modelCode: text('model_code').notNull(),
  changedAt: timestamp('changed_at', { withTimezone: true }).notNull(),
});

export type SurveyRow = typeof surveys.$inferSelect;
export type InvitationRow = typeof invitations.$inferSelect;
export type SuppressionRow = typeof suppressions.$inferSelect;
export type SurveyResponseRow = typeof surveyResponses.$inferSelect;
