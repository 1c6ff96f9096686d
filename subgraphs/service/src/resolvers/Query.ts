import { assertUuid, notFound } from '@cx/platform';
import type { Context } from '../context.ts';

export const Query = {
  async repairOrder(_: unknown, args: { id: string }, ctx: Context) {
    const row = await ctx.loaders.repairOrder.load(assertUuid(args.id, 'id', 'repair order'));
    if (!row) throw notFound('RepairOrder', args.id);
    return row;
  },
  async complaint(_: unknown, args: { id: string }, ctx: Context) {
    const row = await ctx.loaders.complaint.load(assertUuid(args.id, 'id', 'complaint'));
    if (!row) throw notFound('Complaint', args.id);
    return row;
  },
};
