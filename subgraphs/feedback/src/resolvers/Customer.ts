import type { PageArgs } from '@cx/platform';
import type { Context } from '../context.ts';

export const Customer = {
  __resolveReference(ref: { id: string }) {
    return { id: ref.id };
  },
  surveyResponses(c: { id: string }, args: PageArgs, ctx: Context) {
    return ctx.loaders.responsesOfCustomer(c.id, args);
  },
  surveyInvitations(c: { id: string }, args: PageArgs, ctx: Context) {
    return ctx.loaders.invitationsOfCustomer(c.id, args);
  },
  surveySuppressions(c: { id: string }, args: PageArgs, ctx: Context) {
    return ctx.loaders.suppressionsOfCustomer(c.id, args);
  },
};
