import type { FeedbackScoresResult, FeedbackScoreGroup as Group } from '../scores/feedbackScores.ts';
import type { PeriodRange } from '../scores/periods.ts';

export const FeedbackScores = {
  groupBy: (r: FeedbackScoresResult) => r.groupBy,
};

export const FeedbackPeriodRange = {
  period: (p: PeriodRange) => p.unit,
};

/** Each group exposes its key as the typed reference of its dimension. */
export const FeedbackScoreGroup = {
  dealer: (g: Group) => (g.groupBy === 'DEALER' ? { code: g.key } : null),
  model: (g: Group) => (g.groupBy === 'MODEL' ? { code: g.key } : null),
  region: (g: Group) => (g.groupBy === 'REGION' ? g.key : null),
  touchpoint: (g: Group) => (g.groupBy === 'TOUCHPOINT' ? g.key : null),
};
