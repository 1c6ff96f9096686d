import type { Context } from '../context.ts';
import type { SuppressionRow } from '../db/schema.ts';
import { customerRef, dealerRef } from './refs.ts';

export const SurveySuppression = {
  customer: customerRef,
  dealer: dealerRef,
  async blockingInvitation(s: SuppressionRow, _: unknown, ctx: Context) {
    return s.blockingInvitationId ? ctx.loaders.invitation.load(s.blockingInvitationId) : null;
  },
};
