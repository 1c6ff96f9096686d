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

export const Subscription = {
  leadAssigned: {
    // Not a generator itself: argument errors must be thrown here, before the stream starts,
    // so that graphql-ws reports them as an `error` message (BAD_USER_INPUT naming `after`).
    subscribe(_: unknown, args: { dealerCode?: string | null; after?: string | null }, ctx: Context) {
      const after =
        args.after === undefined || args.after === null ? null : parsePosition(args.after, 'after');
      const dealerCode = normalizeDealerCode(args.dealerCode);
      return abortable((signal) =>
        leadAssignmentStream(ctx.db, ctx.outbox, {
          after,
          dealerCode,
          signal,
          onPage: (events) => preload(ctx, events),
        }),
      );
    },
    resolve(event: LeadAssignmentEvent) {
      return event;
    },
  },
};
