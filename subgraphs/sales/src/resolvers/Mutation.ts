import type { Context } from '../context.ts';
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
};
