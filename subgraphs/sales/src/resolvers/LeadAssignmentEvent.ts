import { notFound } from '@cx/platform';
import type { Context } from '../context.ts';
import { encodePosition } from '../outbox/cursor.ts';
import type { LeadAssignmentEvent as Event } from '../repositories/outbox.ts';
import { requireLead } from './requireLead.ts';

export const LeadAssignmentEvent = {
  cursor(e: Event) {
    return encodePosition(e.position);
  },
  lead(e: Event, _: unknown, ctx: Context) {
    return requireLead(ctx, e.leadId);
  },
  async consultant(e: Event, _: unknown, ctx: Context) {
    const consultant = await ctx.loaders.consultant.load(e.consultantId);
    if (!consultant) throw notFound('Consultant', e.consultantId);
    return consultant;
  },
};
