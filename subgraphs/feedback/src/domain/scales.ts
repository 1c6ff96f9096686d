import type { SurveyKind } from '../db/schema.ts';

/**
 * Rating scales and bands per survey kind (REFERENCE.md). The same bands are in the SQL function
 * feedback.score_band (migration 0002) that keeps the score rollups.
 */
export interface ScoreScale {
  min: number;
  max: number;
  /** Ratings at or above count as favorable: NPS promoters, CSAT satisfied, CES easy. */
  favorableFrom: number;
  /** Ratings at or below count as unfavorable: NPS detractors, CSAT dissatisfied, CES hard. */
  unfavorableTo: number;
}

export const scoreScales: Record<SurveyKind, ScoreScale> = {
  NPS: { min: 0, max: 10, favorableFrom: 9, unfavorableTo: 6 },
  CSAT: { min: 1, max: 5, favorableFrom: 4, unfavorableTo: 2 },
  CES: { min: 1, max: 7, favorableFrom: 5, unfavorableTo: 3 },
};

export function isInScale(kind: SurveyKind, score: number): boolean {
  const scale = scoreScales[kind];
  return Number.isInteger(score) && score >= scale.min && score <= scale.max;
}

/** 1 favorable, -1 unfavorable, 0 neither (NPS passives, CSAT 3, CES 4). */
export function bandOf(kind: SurveyKind, score: number): 1 | -1 | 0 {
  const scale = scoreScales[kind];
  if (score >= scale.favorableFrom) return 1;
  if (score <= scale.unfavorableTo) return -1;
  return 0;
}

/** A detractor opens a complaint in service: NPS 0-6 or CSAT 1-2 (CES has no detractors). */
export function isDetractor(kind: SurveyKind, score: number): boolean {
  return kind !== 'CES' && bandOf(kind, score) === -1;
}
