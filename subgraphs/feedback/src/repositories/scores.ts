import type { Db } from '@cx/platform';
import { and, eq, gte, inArray, lt, type SQL, sql } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import { type ScoreDimension, type SurveyKind, scoreRollups, surveyResponses } from '../db/schema.ts';
import { scoreScales } from '../domain/scales.ts';
import type { ScoreCounts } from '../scores/formulas.ts';
import type { PeriodRange } from '../scores/periods.ts';

export interface GroupCounts {
  key: string;
  current: ScoreCounts;
  previous: ScoreCounts;
}

/** Sums of the four counters, split into the current period and the one before it. */
function splitSums(columns: Record<keyof ScoreCounts, SQL | PgColumn>, inCurrent: SQL) {
  const sum = (value: SQL | PgColumn, when: SQL) =>
    sql<number>`coalesce(sum(${value}) filter (where ${when}), 0)`.mapWith(Number);
  const before = sql`not (${inCurrent})`;
  return {
    responses: sum(columns.responses, inCurrent),
    scoreSum: sum(columns.scoreSum, inCurrent),
    favorable: sum(columns.favorable, inCurrent),
    unfavorable: sum(columns.unfavorable, inCurrent),
    pResponses: sum(columns.responses, before),
    pScoreSum: sum(columns.scoreSum, before),
    pFavorable: sum(columns.favorable, before),
    pUnfavorable: sum(columns.unfavorable, before),
  };
}

type SplitRow = { key: string | null } & Record<keyof ReturnType<typeof splitSums>, number>;

function toGroupCounts(rows: SplitRow[]): GroupCounts[] {
  return rows
    .filter((r): r is SplitRow & { key: string } => r.key !== null)
    .map((r) => ({
      key: r.key,
      current: {
        responses: r.responses,
        scoreSum: r.scoreSum,
        favorable: r.favorable,
        unfavorable: r.unfavorable,
      },
      previous: {
        responses: r.pResponses,
        scoreSum: r.pScoreSum,
        favorable: r.pFavorable,
        unfavorable: r.pUnfavorable,
      },
    }));
}

export interface GroupedCountsQuery {
  kind: SurveyKind;
  dimension: ScoreDimension;
  current: PeriodRange;
  /** The period right before `current`, for the trend. */
  previous: PeriodRange;
  /** Only these groups (e.g. the dealers one request asked about); every group when omitted. */
  keys?: readonly string[];
}

/**
 * One grouped statement over the rollup: weekly counters for weeks, monthly ones for months and
 * quarters. Reads (groups x periods) small rows, whatever the number of responses.
 */
export async function rollupCounts(db: Db, q: GroupedCountsQuery): Promise<GroupCounts[]> {
  if (q.keys?.length === 0) return [];
  const r = scoreRollups;
  const rows = await db
    .select({
      key: r.groupKey,
      ...splitSums(
        { responses: r.responses, scoreSum: r.scoreSum, favorable: r.favorable, unfavorable: r.unfavorable },
        sql`${r.periodStart} >= ${q.current.startDate}`,
      ),
    })
    .from(r)
    .where(
      and(
        eq(r.grain, q.current.unit === 'WEEK' ? 'WEEK' : 'MONTH'),
        eq(r.kind, q.kind),
        eq(r.dimension, q.dimension),
        gte(r.periodStart, q.previous.startDate),
        lt(r.periodStart, q.current.endDate),
        q.keys ? inArray(r.groupKey, [...q.keys]) : undefined,
      ),
    )
    .groupBy(r.groupKey)
    .having(sql`sum(${r.responses}) > 0`);
  return toGroupCounts(rows);
}

const dimensionColumn: Record<ScoreDimension, SQL> = {
  DEALER: sql`${surveyResponses.dealerCode}`,
  MODEL: sql`${surveyResponses.modelCode}`,
  REGION: sql`${surveyResponses.region}`,
  TOUCHPOINT: sql`${surveyResponses.touchpoint}::text`,
};

export interface RawCountsQuery {
  kind: SurveyKind;
  dimension: ScoreDimension;
  keys?: readonly string[];
  /** Responses in [from, to); open-ended when omitted. */
  from?: Date;
  to?: Date;
  /** Responses before this instant count as `previous`; without it everything is `current`. */
  splitAt?: Date;
}

/**
 * The same counters straight from survey_responses, for arbitrary ranges (Dealer.nps from/to)
 * and as an independent check of the rollup: the bands here come from scoreScales, not from
 * the SQL function the trigger uses.
 */
export async function rawCounts(db: Db, q: RawCountsQuery): Promise<GroupCounts[]> {
  if (q.keys?.length === 0) return [];
  const s = surveyResponses;
  const scale = scoreScales[q.kind];
  const key = dimensionColumn[q.dimension];
  const one = sql`1`;
  const rows = await db
    .select({
      key: sql<string | null>`${key}`,
      ...splitSums(
        {
          responses: one,
          scoreSum: sql`${s.score}`,
          favorable: sql`case when ${s.score} >= ${scale.favorableFrom} then 1 else 0 end`,
          unfavorable: sql`case when ${s.score} <= ${scale.unfavorableTo} then 1 else 0 end`,
        },
        q.splitAt ? gte(s.respondedAt, q.splitAt) : sql`true`,
      ),
    })
    .from(s)
    .where(
      and(
        eq(s.kind, q.kind),
        q.keys ? inArray(key, [...q.keys]) : undefined,
        q.from ? gte(s.respondedAt, q.from) : undefined,
        q.to ? lt(s.respondedAt, q.to) : undefined,
      ),
    )
    .groupBy(key);
  return toGroupCounts(rows);
}
