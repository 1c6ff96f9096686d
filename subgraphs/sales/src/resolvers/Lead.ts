import type { Context } from '../context.ts';
import type { LeadRow } from '../db/schema.ts';
import { visibleLead } from '../scope.ts';

export const Lead = {
  async __resolveReference(ref: { id: string }, ctx: Context) {
    return visibleLead(ctx.viewer, await ctx.loaders.lead.load(ref.id));
  },
  customer(l: LeadRow) {
    return { id: l.customerId };
  },
  interestedModel(l: LeadRow) {
    return l.modelCode ? { code: l.modelCode } : null;
  },
  async dealer(l: LeadRow, _: unknown, ctx: Context) {
    return l.dealerCode ? ctx.loaders.dealer.load(l.dealerCode) : null;
  },
  async assignedConsultant(l: LeadRow, _: unknown, ctx: Context) {
    return l.consultantId ? ctx.loaders.consultant.load(l.consultantId) : null;
  },
};
