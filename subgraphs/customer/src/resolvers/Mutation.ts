import type { Context } from '../context.ts';
import { ingestCustomers } from '../ingest/ingestCustomers.ts';
import type { CustomerRecordInput } from '../ingest/normalize.ts';

export const Mutation = {
  async customersIngest(_: unknown, args: { input: { records: CustomerRecordInput[] } }, ctx: Context) {
    const report = await ingestCustomers(ctx.db, ctx.pii, args.input.records, {
      now: ctx.now(),
      actor: 'api',
    });
    ctx.logger.info(
      {
        records: args.input.records.length,
        accepted: report.results.length,
        rejected: report.userErrors.length,
      },
      'customers ingested',
    );
    return {
      results: await Promise.all(
        report.results.map(async (r) => ({ ...r, customer: await ctx.loaders.customer.load(r.customerId) })),
      ),
      userErrors: report.userErrors,
    };
  },
};
