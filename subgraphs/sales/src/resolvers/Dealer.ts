import type { Context } from '../context.ts';
import type { DealerRow } from '../db/schema.ts';

export const Dealer = {
  async __resolveReference(ref: { code: string }, ctx: Context) {
    return ctx.loaders.dealer.load(ref.code);
  },
  async manager(d: DealerRow, _: unknown, ctx: Context) {
    return d.managerConsultantId ? ctx.loaders.consultant.load(d.managerConsultantId) : null;
  },
  async consultants(d: DealerRow, _: unknown, ctx: Context) {
    return ctx.loaders.consultantsOfDealer.load(d.code);
  },
};
