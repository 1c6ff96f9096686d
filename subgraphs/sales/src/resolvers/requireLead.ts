import { notFound } from '@cx/platform';
import type { Context } from '../context.ts';
import type { LeadRow } from '../db/schema.ts';

/** The lead a child row (event, follow-up, test drive) belongs to, through the request's loader. */
export async function requireLead(ctx: Context, leadId: string): Promise<LeadRow> {
  const lead = await ctx.loaders.lead.load(leadId);
  if (!lead) throw notFound('Lead', leadId);
  return lead;
}
