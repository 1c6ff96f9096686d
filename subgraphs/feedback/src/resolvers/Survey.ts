import type { Context } from '../context.ts';
import type { SurveyRow } from '../db/schema.ts';
import { scoreScales } from '../domain/scales.ts';

export const Survey = {
  async __resolveReference(ref: { id: string }, ctx: Context) {
    return ctx.loaders.survey.load(ref.id);
  },
  minScore: (s: SurveyRow) => scoreScales[s.kind].min,
  maxScore: (s: SurveyRow) => scoreScales[s.kind].max,
};
