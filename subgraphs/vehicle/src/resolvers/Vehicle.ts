import type { PageArgs } from '@cx/platform';
import type { Context } from '../context.ts';
import type { VehicleRow } from '../db/schema.ts';

export const Vehicle = {
  async __resolveReference(ref: { vin: string }, ctx: Context) {
    return ctx.loaders.vehicle.load(ref.vin);
  },
  async model(v: VehicleRow, _: unknown, ctx: Context) {
    return ctx.loaders.model.load(v.modelCode);
  },
  async purchasedAt(v: VehicleRow, _: unknown, ctx: Context) {
    return (await ctx.loaders.currentOwnership.load(v.vin))?.startedAt ?? null;
  },
  async mileageKm(v: VehicleRow, _: unknown, ctx: Context) {
    return (await ctx.loaders.latestMileage.load(v.vin))?.km ?? null;
  },
  mileageReadings(v: VehicleRow, args: PageArgs, ctx: Context) {
    return ctx.loaders.mileageReadings(v.vin, args);
  },
  async currentOwner(v: VehicleRow, _: unknown, ctx: Context) {
    const current = await ctx.loaders.currentOwnership.load(v.vin);
    return current ? { id: current.customerId } : null;
  },
  async owners(v: VehicleRow, _: unknown, ctx: Context) {
    const rows = await ctx.loaders.ownerships.load(v.vin);
    return rows.map((o) => ({ customer: { id: o.customerId }, startedAt: o.startedAt, endedAt: o.endedAt }));
  },
};
