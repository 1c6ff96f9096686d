import type { Context } from '../context.ts';
import type { SurveyResponseRow } from '../db/schema.ts';
import { customerRef, dealerRef } from './refs.ts';

export const SurveyResponse = {
  async __resolveReference(ref: { id: string }, ctx: Context) {
    return ctx.loaders.response.load(ref.id);
  },
  customer: customerRef,
  dealer: dealerRef,
  model: (r: SurveyResponseRow) => (r.modelCode ? { code: r.modelCode } : null),
  async survey(r: SurveyResponseRow, _: unknown, ctx: Context) {
    return r.surveyId ? ctx.loaders.survey.load(r.surveyId) : null;
  },
  async invitation(r: SurveyResponseRow, _: unknown, ctx: Context) {
    return r.invitationId ? ctx.loaders.invitation.load(r.invitationId) : null;
  },
};
