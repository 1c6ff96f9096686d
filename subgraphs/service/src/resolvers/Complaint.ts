import type { Context } from '../context.ts';
import type { ComplaintRow, ComplaintSlaPolicyRow } from '../db/schema.ts';

/** A deadline is missed when the step came after it, or has not come and the deadline has passed. */
function missed(doneAt: Date | null, dueAt: Date, now: Date): boolean {
  return (doneAt ?? now) > dueAt;
}

export const Complaint = {
  async __resolveReference(ref: { id: string }, ctx: Context) {
    return ctx.loaders.complaint.load(ref.id);
  },
  customer(c: ComplaintRow) {
    return { id: c.customerId };
  },
  dealer(c: ComplaintRow) {
    return c.dealerCode ? { code: c.dealerCode } : null;
  },
  async repairOrder(c: ComplaintRow, _: unknown, ctx: Context) {
    return c.repairOrderId ? ctx.loaders.repairOrder.load(c.repairOrderId) : null;
  },
  sla(c: ComplaintRow, _: unknown, ctx: Context) {
    // The complaints_sla_deadlines trigger sets both deadlines on every insert.
    const acknowledgeDueAt = c.acknowledgeDueAt!;
    const resolveDueAt = c.resolveDueAt!;
    const now = ctx.now();
    return {
      acknowledgeDueAt,
      resolveDueAt,
      acknowledgeBreached: missed(c.acknowledgedAt, acknowledgeDueAt, now),
      resolveBreached: missed(c.resolvedAt, resolveDueAt, now),
    };
  },
};

export const ComplaintSlaPolicy = {
  acknowledgeWithinMinutes: (p: ComplaintSlaPolicyRow) => p.acknowledgeMinutes,
  resolveWithinMinutes: (p: ComplaintSlaPolicyRow) => p.resolveMinutes,
};
