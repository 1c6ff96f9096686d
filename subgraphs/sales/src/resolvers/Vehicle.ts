import type { Context } from '../context.ts';

export const Vehicle = {
  __resolveReference(ref: { vin: string }) {
    return { vin: ref.vin };
  },
  async salesOrder(v: { vin: string }, _: unknown, ctx: Context) {
    return ctx.loaders.orderOfVin.load(v.vin);
  },
};
