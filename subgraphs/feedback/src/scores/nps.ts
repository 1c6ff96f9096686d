/** Responses below this count are flagged low-confidence (REFERENCE.md). */
export const LOW_CONFIDENCE_BELOW = 30;

export interface NpsScore {
  score: number | null;
  responses: number;
  promoters: number;
  passives: number;
  detractors: number;
  lowConfidence: boolean;
}

/** NPS = % promoters (9-10) minus % detractors (0-6), from -100 to +100; null without responses. */
export function npsScore(counts: { promoters: number; passives: number; detractors: number }): NpsScore {
  const responses = counts.promoters + counts.passives + counts.detractors;
  const score =
    responses === 0 ? null : Math.round(((counts.promoters - counts.detractors) / responses) * 1000) / 10;
  return { ...counts, responses, score, lowConfidence: responses < LOW_CONFIDENCE_BELOW };
}
