import { badInput, forbidden, isVisibleToDealer, notFound } from '@cx/platform';
import { assertUuid } from '@cx/platform/ids';
import { normalizeDealerCode } from '../args.ts';
import type { Context } from '../context.ts';
import { parsePosition } from '../outbox/cursor.ts';
import { STREAM_PAGE_SIZE } from '../outbox/stream.ts';
import { listDealers } from '../repositories/dealers.ts';
import { findLeadAssignmentEvent, readLeadAssignmentEvents } from '../repositories/outbox.ts';
import { visibleLead, visibleOrder } from '../scope.ts';

export const Query = {
  async dealer(_: unknown, args: { code: string }, ctx: Context) {
    const dealer = await ctx.loaders.dealer.load(args.code.trim().toUpperCase());
    if (!dealer) throw notFound('Dealer', args.code);
    return dealer;
  },
  async dealers(_: unknown, args: { region?: string | null; city?: string | null }, ctx: Context) {
    const rows = await listDealers(ctx.db, {
      region: args.region ?? undefined,
      city: args.city ?? undefined,
    });
    for (const d of rows) ctx.loaders.dealer.prime(d.code, d);
    return rows;
  },
  async lead(_: unknown, args: { id: string }, ctx: Context) {
    const lead = visibleLead(ctx.viewer, await ctx.loaders.lead.load(assertUuid(args.id, 'id', 'lead')));
    if (!lead) throw notFound('Lead', args.id);
    return lead;
  },
  async salesOrder(_: unknown, args: { id: string }, ctx: Context) {
    const order = visibleOrder(
      ctx.viewer,
      await ctx.loaders.order.load(assertUuid(args.id, 'id', 'sales order')),
    );
    if (!order) throw notFound('SalesOrder', args.id);
    return order;
  },
  /** `id` is the event's cursor (its stream position), so the gateway can look an event up by what it streamed. */
  async leadAssignment(_: unknown, args: { id: string }, ctx: Context) {
    const event = await findLeadAssignmentEvent(ctx.db, parsePosition(args.id, 'id'));
    if (event && !isVisibleToDealer(ctx.viewer, event.dealerCode))
      throw forbidden('LeadAssignmentEvent', args.id);
    return event;
  },
  async leadAssignmentEvents(
    _: unknown,
    args: { after?: string | null; dealerCode?: string | null; first?: number | null },
    ctx: Context,
  ) {
    const first = args.first ?? STREAM_PAGE_SIZE;
    if (!Number.isInteger(first) || first < 1 || first > STREAM_PAGE_SIZE) {
      throw badInput('first', `must be between 1 and ${STREAM_PAGE_SIZE}`, 'OUT_OF_RANGE');
    }
    const after = args.after ? parsePosition(args.after, 'after') : 0;
    return readLeadAssignmentEvents(ctx.db, {
      after,
      dealerCode: normalizeDealerCode(args.dealerCode),
      limit: first,
    });
  },
};
