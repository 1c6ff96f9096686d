import { money } from '@cx/platform';
import type { Context } from '../context.ts';
import type { WarrantyClaimRow } from '../db/schema.ts';

export const WarrantyClaim = {
  async repairOrder(w: WarrantyClaimRow, _: unknown, ctx: Context) {
    return ctx.loaders.repairOrder.load(w.repairOrderId);
  },
  vehicle: (w: WarrantyClaimRow) => ({ vin: w.vin }),
  amount: (w: WarrantyClaimRow) => money(w.amount, w.currency),
};
