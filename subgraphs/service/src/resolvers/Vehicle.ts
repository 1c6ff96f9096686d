import type { PageArgs } from '@cx/platform';
import type { Context } from '../context.ts';

export const Vehicle = {
  __resolveReference(ref: { vin: string }) {
    return { vin: ref.vin };
  },
  serviceHistory(v: { vin: string }, args: PageArgs, ctx: Context) {
    return ctx.loaders.serviceHistory(v.vin, args);
  },
};
