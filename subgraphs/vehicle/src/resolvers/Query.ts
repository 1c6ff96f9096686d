import { badInput, notFound } from '@cx/platform';
import type { Context } from '../context.ts';
import { listModels, type Powertrain } from '../repositories/models.ts';
import { assertVin } from '../vin.ts';

const price = /^\d{1,10}(\.\d{1,2})?$/;

function priceArg(value: string | null | undefined, field: string): string | undefined {
  const trimmed = value?.trim();
  if (!trimmed) return undefined;
  if (!price.test(trimmed))
    throw badInput(field, 'must be a decimal amount with at most 2 decimals', 'MONEY_INVALID');
  return trimmed;
}

interface VehicleModelsArgs {
  brand?: string | null;
  powertrain?: Powertrain | null;
  priceMin?: string | null;
  priceMax?: string | null;
}

export const Query = {
  async vehicle(_: unknown, args: { vin: string }, ctx: Context) {
    const vin = assertVin(args.vin);
    const vehicle = await ctx.loaders.vehicle.load(vin);
    if (!vehicle) throw notFound('Vehicle', vin);
    return vehicle;
  },
  async vehicleModel(_: unknown, args: { code: string }, ctx: Context) {
    const code = args.code.trim().toUpperCase();
    const model = await ctx.loaders.model.load(code);
    if (!model) throw notFound('VehicleModel', code);
    return model;
  },
  async vehicleModels(_: unknown, args: VehicleModelsArgs, ctx: Context) {
    const priceMin = priceArg(args.priceMin, 'priceMin');
    const priceMax = priceArg(args.priceMax, 'priceMax');
    if (priceMin && priceMax && Number(priceMin) > Number(priceMax))
      throw badInput('priceMax', 'must not be below priceMin', 'OUT_OF_RANGE');
    const rows = await listModels(ctx.db, {
      brand: args.brand?.trim() || undefined,
      powertrain: args.powertrain ?? undefined,
      priceMin,
      priceMax,
    });
    for (const m of rows) ctx.loaders.model.prime(m.code, m);
    return rows;
  },
};
