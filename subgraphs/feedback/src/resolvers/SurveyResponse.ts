import type { Context } from '../context.ts';
import type { SurveyResponseRow } from '../db/schema.ts';

export const SurveyResponse = {
  async __resolveReference(ref: { id: string }, ctx: Context) {
    return ctx.loaders.response.load(ref.id);
  },
  customer(r: SurveyResponseRow) {
    return { id: r.customerId };
  },
  dealer(r: SurveyResponseRow) {
    return r.dealerCode ? { code: r.dealerCode } : null;
  },
};
