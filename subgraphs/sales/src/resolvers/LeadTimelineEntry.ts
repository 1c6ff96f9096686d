import type { Context } from '../context.ts';
import type { LeadEventRow } from '../db/schema.ts';

export const LeadTimelineEntry = {
  async consultant(e: LeadEventRow, _: unknown, ctx: Context) {
    return e.consultantId ? ctx.loaders.consultant.load(e.consultantId) : null;
  },
};
