import type { PageArgs } from '@cx/platform';
import type { Context } from '../context.ts';
import type { SegmentExportRow } from '../db/schema.ts';
import { consentForChannel } from '../segments/segmentService.ts';

export const SegmentExport = {
  async segment(e: SegmentExportRow, _: unknown, ctx: Context) {
    return ctx.loaders.segment.load(e.segmentId);
  },
  exportedAt: (e: SegmentExportRow) => e.createdAt,
  /** The segment's members who hold the channel's marketing consent now. */
  async members(e: SegmentExportRow, args: PageArgs, ctx: Context) {
    const segment = await ctx.loaders.segment.load(e.segmentId);
    if (!segment) throw new Error(`segment ${e.segmentId} of export ${e.id} is missing`);
    const connection = await ctx.loaders.audience.members(
      {
        key: `export:${e.id}`,
        expression: { and: [segment.expression, { consent: consentForChannel[e.channel] }] },
        at: ctx.now(),
      },
      args,
    );
    for (const c of connection.nodes) ctx.loaders.customer.prime(c.id, c);
    return connection;
  },
};
