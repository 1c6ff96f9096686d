import { notFound } from '@cx/platform';
import type { Context } from '../context.ts';
import { encodePosition } from '../outbox/cursor.ts';
import type { LeadAssignmentEvent as Event } from '../repositories/outbox.ts';

export const LeadAssignmentEvent = {
  cursor(e: Event) {
    return encodePosition(e.position);
  },
  async lead(e: Event, _: unknown, ctx: Context) {
    const lead = await ctx.loaders.lead.load(e.leadId);
    if (!lead) throw notFound('Lead', e.leadId);
    return lead;
  },
  async consultant(e: Event, _: unknown, ctx: Context) {
    const consultant = await ctx.loaders.consultant.load(e.consultantId);
    if (!consultant) throw notFound('Consultant', e.consultantId);
    return consultant;
  },
};
