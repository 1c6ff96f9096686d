import type { Context } from '../context.ts';
import type { ComplaintRow } from '../db/schema.ts';

export const Complaint = {
  async __resolveReference(ref: { id: string }, ctx: Context) {
    return ctx.loaders.complaint.load(ref.id);
  },
  customer(c: ComplaintRow) {
    return { id: c.customerId };
  },
  dealer(c: ComplaintRow) {
    return c.dealerCode ? { code: c.dealerCode } : null;
  },
};
