import type { Db } from '@cx/platform';
import { and, count, eq, gte, inArray, lt, sql } from 'drizzle-orm';
import { type SurveyResponseRow, surveyResponses } from '../db/schema.ts';

export async function findResponsesByIds(db: Db, ids: readonly string[]): Promise<SurveyResponseRow[]> {
  if (ids.length === 0) return [];
  return db
    .select()
    .from(surveyResponses)
    .where(inArray(surveyResponses.id, [...ids]));
}

export interface NpsCounts {
  dealerCode: string;
  promoters: number;
  passives: number;
  detractors: number;
}

/** Promoter, passive and detractor counts per dealer in one grouped statement. */
export async function countNpsByDealers(
  db: Db,
  codes: readonly string[],
  range: { from?: Date; to?: Date },
): Promise<NpsCounts[]> {
  if (codes.length === 0) return [];
  const rows = await db
    .select({
      dealerCode: surveyResponses.dealerCode,
      promoters: count(sql`case when ${surveyResponses.score} >= 9 then 1 end`),
      passives: count(sql`case when ${surveyResponses.score} between 7 and 8 then 1 end`),
      detractors: count(sql`case when ${surveyResponses.score} <= 6 then 1 end`),
    })
    .from(surveyResponses)
    .where(
      and(
        inArray(surveyResponses.dealerCode, [...codes]),
        eq(surveyResponses.kind, 'NPS'),
        range.from ? gte(surveyResponses.respondedAt, range.from) : undefined,
        range.to ? lt(surveyResponses.respondedAt, range.to) : undefined,
      ),
    )
    .groupBy(surveyResponses.dealerCode);
  return rows.map((r) => ({
    ...r,
    dealerCode: r.dealerCode ?? '',
    promoters: Number(r.promoters),
    passives: Number(r.passives),
    detractors: Number(r.detractors),
  }));
}
