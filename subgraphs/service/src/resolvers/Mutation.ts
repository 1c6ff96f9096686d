import type { Context } from '../context.ts';
import { ingestRepairOrders, type RepairOrderRecordInput } from '../ingest/ingestRepairOrders.ts';

export const Mutation = {
  async repairOrdersIngest(_: unknown, args: { input: { records: RepairOrderRecordInput[] } }, ctx: Context) {
    const report = await ingestRepairOrders(ctx.db, args.input.records, ctx.now());
    ctx.logger.info(
      { records: args.input.records.length, rejected: report.userErrors.length },
      'repair orders ingested',
    );
    return {
      results: await Promise.all(
        report.results.map(async (r) => ({
          ...r,
          repairOrder: await ctx.loaders.repairOrder.load(r.repairOrderId),
        })),
      ),
      userErrors: report.userErrors,
    };
  },
};
