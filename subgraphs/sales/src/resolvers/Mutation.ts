import type { Context } from '../context.ts';
import { createHandoffLead, type RepairOrderCreateSalesLeadInput } from '../handoff/createHandoffLead.ts';
import { createLead, type LeadCreateInput } from '../leads/createLead.ts';

export const Mutation = {
  async leadCreate(_: unknown, args: { input: LeadCreateInput }, ctx: Context) {
    const result = await createLead(ctx.db, args.input, ctx.now());
    // After commit: position the event now rather than at the relay's next poll (speed to lead).
    if (result.assignment) ctx.outbox.written();
    if (result.lead) ctx.loaders.lead.prime(result.lead.id, result.lead);
    ctx.logger.info(
      {
        leadId: result.lead?.id,
        duplicate: result.duplicate,
        assignmentId: result.assignment?.assignmentId,
        reason: result.assignment?.reason,
        rejected: result.userErrors.length,
      },
      'lead created',
    );
    return { lead: result.lead, userErrors: result.userErrors };
  },
  /** Service-to-sales hand-off (README): a SERVICE_HANDOFF lead linked to the repair order. */
  async repairOrderCreateSalesLead(
    _: unknown,
    args: { input: RepairOrderCreateSalesLeadInput },
    ctx: Context,
  ) {
    const result = await createHandoffLead(ctx.db, args.input, ctx.now());
    if (result.assignment) ctx.outbox.written();
    if (result.lead) ctx.loaders.lead.prime(result.lead.id, result.lead);
    ctx.logger.info(
      { leadId: result.lead?.id, duplicate: result.duplicate, rejected: result.userErrors.length },
      'service hand-off lead',
    );
    return { lead: result.lead, userErrors: result.userErrors };
  },
};
