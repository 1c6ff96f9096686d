import type { Context } from '../context.ts';
import type { InvitationRow } from '../db/schema.ts';
import { customerRef, dealerRef } from './refs.ts';

export const SurveyInvitation = {
  async __resolveReference(ref: { id: string }, ctx: Context) {
    return ctx.loaders.invitation.load(ref.id);
  },
  async survey(i: InvitationRow, _: unknown, ctx: Context) {
    return ctx.loaders.survey.load(i.surveyId);
  },
  customer: customerRef,
  dealer: dealerRef,
  status(i: InvitationRow, _: unknown, ctx: Context) {
    if (i.respondedAt) return 'RESPONDED';
    return ctx.now().getTime() >= i.expiresAt.getTime() ? 'EXPIRED' : 'PENDING';
  },
  async response(i: InvitationRow, _: unknown, ctx: Context) {
    return i.respondedAt ? ctx.loaders.responseOfInvitation.load(i.id) : null;
  },
};
