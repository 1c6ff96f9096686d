import type { Context } from '../context.ts';
import { ingestVehicles, type VehicleRecordInput } from '../ingest/ingestVehicles.ts';
import { type MileageReadingInput, recordMileage } from '../mileage/recordMileage.ts';

export const Mutation = {
  async vehiclesIngest(_: unknown, args: { input: { records: VehicleRecordInput[] } }, ctx: Context) {
    const report = await ingestVehicles(ctx.db, args.input.records, ctx.now());
    ctx.kickRelay();
    ctx.logger.info(
      { records: args.input.records.length, rejected: report.userErrors.length },
      'vehicles ingested',
    );
    return {
      results: await Promise.all(
        report.results.map(async (r) => ({ ...r, vehicle: await ctx.loaders.vehicle.load(r.vin) })),
      ),
      userErrors: report.userErrors,
    };
  },
  async vehicleMileageRecord(_: unknown, args: { input: { readings: MileageReadingInput[] } }, ctx: Context) {
    const report = await recordMileage(ctx.db, args.input.readings, ctx.now());
    ctx.logger.info(
      { readings: args.input.readings.length, rejected: report.userErrors.length },
      'mileage recorded',
    );
    return report;
  },
};
