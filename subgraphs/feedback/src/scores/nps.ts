import { LOW_CONFIDENCE_BELOW, type ScoreCounts, scoreValue } from './formulas.ts';

export interface NpsScore {
  score: number | null;
  responses: number;
  promoters: number;
  passives: number;
  detractors: number;
  lowConfidence: boolean;
}

/** NPS = % promoters (9-10) minus % detractors (0-6), from -100 to +100; null without responses. */
export function npsScore(counts: ScoreCounts): NpsScore {
  return {
    score: scoreValue('NPS', counts).score,
    responses: counts.responses,
    promoters: counts.favorable,
    passives: counts.responses - counts.favorable - counts.unfavorable,
    detractors: counts.unfavorable,
    lowConfidence: counts.responses < LOW_CONFIDENCE_BELOW,
  };
}
