import type { Context } from '../context.ts';

export const Customer = {
  __resolveReference(ref: { id: string }) {
    return { id: ref.id };
  },
  async vehicles(c: { id: string }, _: unknown, ctx: Context) {
    const owned = await ctx.loaders.vehiclesOfCustomer.load(c.id);
    const rows = await ctx.loaders.vehicle.loadMany(owned.map((o) => o.vin));
    return rows.filter((v) => v !== null && !(v instanceof Error));
  },
};
