import { money } from '@cx/platform';
import type { Context } from '../context.ts';
import type { ModelRow } from '../db/schema.ts';

export const VehicleModel = {
  async __resolveReference(ref: { code: string }, ctx: Context) {
    return ctx.loaders.model.load(ref.code);
  },
  priceBand(m: ModelRow) {
    return { min: money(m.priceMin), max: money(m.priceMax) };
  },
};
