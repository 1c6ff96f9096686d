import { type GraphQLResolveInfo, Kind } from 'graphql';
import { normalizeDealerCode } from '../args.ts';
import type { Context } from '../context.ts';
import { createLoaders } from '../loaders.ts';
import { parsePosition } from '../outbox/cursor.ts';
import { abortable, leadAssignmentStream } from '../outbox/stream.ts';
import type { LeadAssignmentEvent } from '../repositories/outbox.ts';

/**
 * A subscription lives for hours on one context: fresh loaders per page keep rows current and the
 * cache bounded, and loading the page's leads, consultants and dealers up front costs three
 * statements per page instead of three per event.
 */
async function preload(ctx: Context, events: LeadAssignmentEvent[]): Promise<void> {
  ctx.loaders = createLoaders(ctx.db);
  await Promise.all([
    ctx.loaders.lead.loadMany(events.map((e) => e.leadId)),
    ctx.loaders.consultant.loadMany(events.map((e) => e.consultantId)),
    ctx.loaders.dealer.loadMany([...new Set(events.map((e) => e.dealerCode))]),
  ]);
}

// Fields an event answers from its own outbox row, without loading anything.
const rowFields = new Set(['cursor', 'assignedAt', 'reason', '__typename']);

/**
 * Whether the selection needs rows the page preload fetches. The gateway's own subscription asks
 * for `cursor` only (it resolves the rest per event by query), and for it the preload would be
 * three statements per page spent on the way to every dashboard.
 */
function needsPreload(info: GraphQLResolveInfo | undefined): boolean {
  if (!info) return true;
  return info.fieldNodes.some((field) =>
    (field.selectionSet?.selections ?? []).some((s) => s.kind !== Kind.FIELD || !rowFields.has(s.name.value)),
  );
}

export const Subscription = {
  leadAssigned: {
    // Not a generator itself: argument errors must be thrown here, before the stream starts,
    // so that graphql-ws reports them as an `error` message (BAD_USER_INPUT naming `after`).
    subscribe(
      _: unknown,
      args: { dealerCode?: string | null; after?: string | null },
      ctx: Context,
      info?: GraphQLResolveInfo,
    ) {
      const after =
        args.after === undefined || args.after === null ? null : parsePosition(args.after, 'after');
      const dealerCode = normalizeDealerCode(args.dealerCode);
      const preloading = needsPreload(info);
      return abortable((signal) =>
        leadAssignmentStream(ctx.db, ctx.outbox, {
          after,
          dealerCode,
          signal,
          onPage: preloading ? (events) => preload(ctx, events) : undefined,
        }),
      );
    },
    resolve(event: LeadAssignmentEvent) {
      return event;
    },
  },
};
