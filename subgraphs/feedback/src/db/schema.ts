import { sql } from 'drizzle-orm';
import { index, integer, pgSchema, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export const feedbackSchema = pgSchema('feedback');

export const surveyKindEnum = feedbackSchema.enum('survey_kind', ['NPS', 'CSAT', 'CES']);
export const touchpointEnum = feedbackSchema.enum('touchpoint', [
  'TEST_DRIVE',
  'DELIVERY',
  'FIRST_MAINTENANCE',
  'REPAIR_ORDER_CLOSED',
  'COMPLAINT_RESOLVED',
  'ROADSIDE_CLOSED',
]);

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
  },
  (t) => [
    index('responses_customer_idx').on(t.customerId, t.respondedAt.desc(), t.id.desc()),
    index('responses_dealer_kind_idx').on(t.dealerCode, t.kind, t.respondedAt),
  ],
);

export type SurveyResponseRow = typeof surveyResponses.$inferSelect;
