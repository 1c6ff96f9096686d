import type { Db } from '@cx/platform';
import type { ScoreDimension, SurveyKind } from '../db/schema.ts';
import { rollupCounts } from '../repositories/scores.ts';
import { type FeedbackScore, feedbackScore } from './formulas.ts';
import {
  type PeriodRange,
  type PeriodUnit,
  periodContaining,
  previousPeriod,
  quarterPeriod,
} from './periods.ts';

export interface FeedbackScoresQuery {
  kind: SurveyKind;
  groupBy: ScoreDimension;
  period: PeriodUnit;
  /** Any instant inside the period of interest. */
  at: Date;
}

export interface FeedbackScoreGroup {
  key: string;
  groupBy: ScoreDimension;
  score: FeedbackScore;
}

export interface FeedbackScoresResult {
  kind: SurveyKind;
  groupBy: ScoreDimension;
  current: PeriodRange;
  previous: PeriodRange;
  groups: FeedbackScoreGroup[];
}

/** League order: best score first, groups without a current score last, then by volume and key. */
export function leagueOrder(a: FeedbackScoreGroup, b: FeedbackScoreGroup): number {
  const sa = a.score.score;
  const sb = b.score.score;
  if (sa !== sb) {
    if (sa === null) return 1;
    if (sb === null) return -1;
    return sb - sa;
  }
  return b.score.responses - a.score.responses || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

export function periodsAround(unit: PeriodUnit, at: Date): { current: PeriodRange; previous: PeriodRange } {
  const current = periodContaining(unit, at);
  return { current, previous: previousPeriod(current) };
}

/** Every group with responses in the period or the one before it: one SQL statement. */
export async function feedbackScores(db: Db, query: FeedbackScoresQuery): Promise<FeedbackScoresResult> {
  const { current, previous } = periodsAround(query.period, query.at);
  const counts = await rollupCounts(db, { kind: query.kind, dimension: query.groupBy, current, previous });
  const groups = counts
    .map((c) => ({
      key: c.key,
      groupBy: query.groupBy,
      score: feedbackScore(query.kind, c.current, c.previous),
    }))
    .sort(leagueOrder);
  return { kind: query.kind, groupBy: query.groupBy, current, previous, groups };
}

/** All dealers for one quarter, best first, with the trend against the quarter before. */
export function dealerLeagueTable(
  db: Db,
  kind: SurveyKind,
  quarter: { year: number; quarter: 1 | 2 | 3 | 4 },
): Promise<FeedbackScoresResult> {
  const at = quarterPeriod(quarter.year, quarter.quarter).start;
  return feedbackScores(db, { kind, groupBy: 'DEALER', period: 'QUARTER', at });
}
