import { badInput, notFound } from '@cx/platform';
import { validateVin } from '@cx/platform/domain/vin';
import type { Context } from '../context.ts';
import { listModels } from '../repositories/vehicles.ts';

export function assertVin(input: string, field = 'vin'): string {
  const result = validateVin(input);
  if (!result.ok) throw badInput(field, result.message, result.code);
  return result.vin;
}

export const Query = {
  async vehicle(_: unknown, args: { vin: string }, ctx: Context) {
    const vin = assertVin(args.vin);
    const vehicle = await ctx.loaders.vehicle.load(vin);
    if (!vehicle) throw notFound('Vehicle', vin);
    return vehicle;
  },
  async vehicleModels(_: unknown, args: { brand?: string | null }, ctx: Context) {
    const rows = await listModels(ctx.db, args.brand ?? undefined);
    for (const m of rows) ctx.loaders.model.prime(m.code, m);
    return rows;
  },
};
