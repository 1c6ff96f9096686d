import type { Context } from '../context.ts';
import type { ErasureRow } from '../db/schema.ts';
import { loadCustomer } from './Query.ts';

const stepStatus = (completedAt: Date | null) => (completedAt ? 'COMPLETED' : 'PENDING');

export const CustomerErasure = {
  mergedCustomerIds: (e: ErasureRow) => e.mergedIds,
  customer(e: ErasureRow, _: unknown, ctx: Context) {
    return loadCustomer(ctx, e.customerId);
  },
  async subgraphs(e: ErasureRow, _: unknown, ctx: Context) {
    const steps = await ctx.loaders.erasureSteps.load(e.id);
    return steps.map((s) => ({
      subgraph: s.subgraph,
      status: stepStatus(s.completedAt),
      completedAt: s.completedAt,
    }));
  },
  async status(e: ErasureRow, _: unknown, ctx: Context) {
    const steps = await ctx.loaders.erasureSteps.load(e.id);
    return steps.every((s) => s.completedAt) ? 'COMPLETED' : 'PENDING';
  },
  async completedAt(e: ErasureRow, _: unknown, ctx: Context) {
    const steps = await ctx.loaders.erasureSteps.load(e.id);
    if (!steps.every((s) => s.completedAt)) return null;
    return new Date(Math.max(...steps.map((s) => s.completedAt!.getTime())));
  },
};
