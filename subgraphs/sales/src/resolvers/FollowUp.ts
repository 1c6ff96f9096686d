import type { Context } from '../context.ts';
import type { FollowUpRow } from '../db/schema.ts';
import { requireLead } from './requireLead.ts';

export const FollowUp = {
  lead(f: FollowUpRow, _: unknown, ctx: Context) {
    return requireLead(ctx, f.leadId);
  },
  async consultant(f: FollowUpRow, _: unknown, ctx: Context) {
    return f.consultantId ? ctx.loaders.consultant.load(f.consultantId) : null;
  },
};
