import type { SurveyKind } from '../db/schema.ts';
import { bandOf } from '../domain/scales.ts';

/** Responses below this count are flagged low-confidence (REFERENCE.md). */
export const LOW_CONFIDENCE_BELOW = 30;

/** What every score is computed from; the rollup table stores exactly these four counters. */
export interface ScoreCounts {
  responses: number;
  scoreSum: number;
  favorable: number;
  unfavorable: number;
}

export const noCounts: ScoreCounts = { responses: 0, scoreSum: 0, favorable: 0, unfavorable: 0 };

export function countScores(kind: SurveyKind, scores: readonly number[]): ScoreCounts {
  const counts = { ...noCounts };
  for (const score of scores) {
    const band = bandOf(kind, score);
    counts.responses += 1;
    counts.scoreSum += score;
    if (band === 1) counts.favorable += 1;
    if (band === -1) counts.unfavorable += 1;
  }
  return counts;
}

/** Rounds half away from zero, so +2.5 and -2.5 round alike. */
function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return (Math.sign(value) * Math.round(Math.abs(value) * factor + Number.EPSILON)) / factor;
}

const percent = (part: number, whole: number) => round((part / whole) * 100, 1);

export interface ScoreValue {
  /** NPS -100..100; CSAT 0..100; CES the mean rating 1..7. Null without responses. */
  score: number | null;
  /** CES only: share of 5-7 minus share of 1-3, x 100 (DECISIONS.md). */
  cesNet: number | null;
}

/**
 * NPS = % promoters (9-10) - % detractors (0-6); CSAT = share of 4-5 x 100; CES = mean rating,
 * with net = (share of 5-7 - share of 1-3) x 100.
 */
export function scoreValue(kind: SurveyKind, c: ScoreCounts): ScoreValue {
  if (c.responses === 0) return { score: null, cesNet: null };
  switch (kind) {
    case 'NPS':
      return { score: percent(c.favorable - c.unfavorable, c.responses), cesNet: null };
    case 'CSAT':
      return { score: percent(c.favorable, c.responses), cesNet: null };
    case 'CES':
      return {
        score: round(c.scoreSum / c.responses, 2),
        cesNet: percent(c.favorable - c.unfavorable, c.responses),
      };
  }
}

export interface FeedbackScore extends ScoreValue {
  kind: SurveyKind;
  responses: number;
  favorable: number;
  unfavorable: number;
  lowConfidence: boolean;
  previousScore: number | null;
  previousResponses: number;
  /** score - previousScore as shown (both rounded); null when either is missing. */
  trend: number | null;
}

export function feedbackScore(kind: SurveyKind, current: ScoreCounts, previous: ScoreCounts): FeedbackScore {
  const now = scoreValue(kind, current);
  const before = scoreValue(kind, previous);
  const digits = kind === 'CES' ? 2 : 1;
  return {
    kind,
    ...now,
    responses: current.responses,
    favorable: current.favorable,
    unfavorable: current.unfavorable,
    lowConfidence: current.responses < LOW_CONFIDENCE_BELOW,
    previousScore: before.score,
    previousResponses: previous.responses,
    trend: now.score === null || before.score === null ? null : round(now.score - before.score, digits),
  };
}
