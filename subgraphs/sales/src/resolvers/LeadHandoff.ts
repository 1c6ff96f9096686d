import { rowLoader } from '@cx/platform';
import type { Context } from '../context.ts';
import type { LeadRow } from '../db/schema.ts';
import { findFirstHandoffsByLeadIds } from '../handoff/repositories.ts';

type HandoffLoader = ReturnType<typeof handoffLoader>;

function handoffLoader(ctx: Context) {
  return rowLoader(
    (leadIds: readonly string[]) => findFirstHandoffsByLeadIds(ctx.db, leadIds),
    (h) => h.leadId,
  );
}

// Keyed by the loaders object, which a subscription renews per page: the cache lives exactly as long.
const loaders = new WeakMap<object, HandoffLoader>();

function handoffsOf(ctx: Context): HandoffLoader {
  let loader = loaders.get(ctx.loaders);
  if (!loader) {
    loader = handoffLoader(ctx);
    loaders.set(ctx.loaders, loader);
  }
  return loader;
}

/** Lead fields of the service-to-sales hand-off, merged into the Lead resolvers. */
export const LeadHandoff = {
  async sourceRepairOrder(l: LeadRow, _: unknown, ctx: Context) {
    const handoff = await handoffsOf(ctx).load(l.id);
    return handoff ? { id: handoff.repairOrderId } : null;
  },
};
