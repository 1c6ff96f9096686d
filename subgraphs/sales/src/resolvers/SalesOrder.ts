import { money } from '@cx/platform';
import type { Context } from '../context.ts';
import type { SalesOrderRow } from '../db/schema.ts';
import { isLeadVisible, visibleOrder } from '../scope.ts';

export const SalesOrder = {
  async __resolveReference(ref: { id: string }, ctx: Context) {
    return visibleOrder(ctx.viewer, await ctx.loaders.order.load(ref.id));
  },
  customer(o: SalesOrderRow) {
    return { id: o.customerId };
  },
  async dealer(o: SalesOrderRow, _: unknown, ctx: Context) {
    return ctx.loaders.dealer.load(o.dealerCode);
  },
  vehicle(o: SalesOrderRow) {
    return o.vin ? { vin: o.vin } : null;
  },
  model(o: SalesOrderRow) {
    return o.modelCode ? { code: o.modelCode } : null;
  },
  async lead(o: SalesOrderRow, _: unknown, ctx: Context) {
    const lead = o.leadId ? await ctx.loaders.lead.load(o.leadId) : null;
    // Nested under an order the caller sees: a consultant sees the lead only if it is theirs.
    return lead && isLeadVisible(ctx.viewer, lead) ? lead : null;
  },
  totalAmount(o: SalesOrderRow) {
    return money(o.totalAmount, o.currency);
  },
};
