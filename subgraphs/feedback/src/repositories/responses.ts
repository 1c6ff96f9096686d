import type { Db } from '@cx/platform';
import { inArray } from 'drizzle-orm';
import { type SurveyResponseRow, surveyResponses } from '../db/schema.ts';

export async function findResponsesByIds(db: Db, ids: readonly string[]): Promise<SurveyResponseRow[]> {
  if (ids.length === 0) return [];
  return db
    .select()
    .from(surveyResponses)
    .where(inArray(surveyResponses.id, [...ids]));
}

export async function findResponsesByInvitationIds(
  db: Db,
  invitationIds: readonly string[],
): Promise<SurveyResponseRow[]> {
  if (invitationIds.length === 0) return [];
  return db
    .select()
    .from(surveyResponses)
    .where(inArray(surveyResponses.invitationId, [...invitationIds]));
}

export async function insertResponse(
  db: Db,
  values: typeof surveyResponses.$inferInsert,
): Promise<SurveyResponseRow> {
  const [row] = await db.insert(surveyResponses).values(values).returning();
  return row!;
}
