import type { Db } from '@cx/platform';
import { and, asc, eq, inArray } from 'drizzle-orm';
import { type SurveyKind, type SurveyRow, surveys, type Touchpoint } from '../db/schema.ts';

export interface SurveyFilter {
  touchpoint?: Touchpoint | null;
  kind?: SurveyKind | null;
  includeInactive?: boolean | null;
}

/** A handful of definitions (one active per touchpoint), so a plain ordered list. */
export async function listSurveys(db: Db, filter: SurveyFilter): Promise<SurveyRow[]> {
  return db
    .select()
    .from(surveys)
    .where(
      and(
        filter.touchpoint ? eq(surveys.touchpoint, filter.touchpoint) : undefined,
        filter.kind ? eq(surveys.kind, filter.kind) : undefined,
        filter.includeInactive ? undefined : eq(surveys.active, true),
      ),
    )
    .orderBy(asc(surveys.touchpoint), asc(surveys.code));
}

export async function findActiveSurvey(db: Db, touchpoint: Touchpoint): Promise<SurveyRow | null> {
  const [row] = await db
    .select()
    .from(surveys)
    .where(and(eq(surveys.touchpoint, touchpoint), eq(surveys.active, true)));
  return row ?? null;
}

export async function findSurveysByIds(db: Db, ids: readonly string[]): Promise<SurveyRow[]> {
  if (ids.length === 0) return [];
  return db
    .select()
    .from(surveys)
    .where(inArray(surveys.id, [...ids]));
}
