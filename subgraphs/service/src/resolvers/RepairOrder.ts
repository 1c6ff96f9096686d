import { money } from '@cx/platform';
import type { Context } from '../context.ts';
import type { RepairOrderRow } from '../db/schema.ts';

export const RepairOrder = {
  async __resolveReference(ref: { id: string }, ctx: Context) {
    return ctx.loaders.repairOrder.load(ref.id);
  },
  vehicle(r: RepairOrderRow) {
    return { vin: r.vin };
  },
  customer(r: RepairOrderRow) {
    return r.customerId ? { id: r.customerId } : null;
  },
  dealer(r: RepairOrderRow) {
    return { code: r.dealerCode };
  },
  totalAmount(r: RepairOrderRow) {
    return money(r.totalAmount, r.currency);
  },
  async lines(r: RepairOrderRow, _: unknown, ctx: Context) {
    const rows = await ctx.loaders.lines.load(r.id);
    return rows.map((l) => ({
      kind: l.kind,
      description: l.description,
      quantity: l.quantity,
      unitPrice: money(l.unitPrice, r.currency),
      amount: money(Number(l.quantity) * Number(l.unitPrice), r.currency),
    }));
  },
  async timeline(r: RepairOrderRow, _: unknown, ctx: Context) {
    const events = await ctx.loaders.timeline.load(r.id);
    return events.map((e) => ({
      from: e.fromStatus,
      to: e.toStatus,
      at: e.occurredAt,
      actor: e.actor,
      source: e.source,
      note: e.note,
    }));
  },
  async warrantyClaims(r: RepairOrderRow, _: unknown, ctx: Context) {
    return ctx.loaders.warrantyClaimsOfOrder.load(r.id);
  },
};
