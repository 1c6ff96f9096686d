import type { Context } from '../context.ts';
import type { CustomerIngestResult as Result } from '../ingest/ingestCustomers.ts';

/** A DMS push rarely selects the customer: it is loaded (batched) only when asked for. */
export const CustomerIngestResult = {
  customer: (result: Result, _: unknown, ctx: Context) => ctx.loaders.customer.load(result.customerId),
};
