import type { Context } from '../context.ts';
import type { ConsultantRow } from '../db/schema.ts';

export const Consultant = {
  async __resolveReference(ref: { id: string }, ctx: Context) {
    return ctx.loaders.consultant.load(ref.id);
  },
  async dealer(c: ConsultantRow, _: unknown, ctx: Context) {
    return ctx.loaders.dealer.load(c.dealerCode);
  },
};
