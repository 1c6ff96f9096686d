import type { Context } from '../context.ts';
import type { TestDriveRow } from '../db/schema.ts';
import { requireLead } from './requireLead.ts';

export const TestDrive = {
  lead(d: TestDriveRow, _: unknown, ctx: Context) {
    return requireLead(ctx, d.leadId);
  },
  async dealer(d: TestDriveRow, _: unknown, ctx: Context) {
    return ctx.loaders.dealer.load(d.dealerCode);
  },
  async consultant(d: TestDriveRow, _: unknown, ctx: Context) {
    return d.consultantId ? ctx.loaders.consultant.load(d.consultantId) : null;
  },
  model(d: TestDriveRow) {
    return { code: d.modelCode };
  },
  vehicle(d: TestDriveRow) {
    return d.vin ? { vin: d.vin } : null;
  },
};
