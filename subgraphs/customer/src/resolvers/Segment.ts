import type { PageArgs } from '@cx/platform';
import type { Context } from '../context.ts';
import type { SegmentRow } from '../db/schema.ts';
import { describeSegmentExpression } from '../segments/expression.ts';

const audience = (s: SegmentRow, ctx: Context) => ({
  key: `segment:${s.id}`,
  expression: s.expression,
  at: ctx.now(),
});

export const Segment = {
  expression: (s: SegmentRow) => JSON.stringify(s.expression),
  description: (s: SegmentRow) => describeSegmentExpression(s.expression),
  async size(s: SegmentRow, _: unknown, ctx: Context) {
    return ctx.loaders.audience.size(audience(s, ctx));
  },
  async members(s: SegmentRow, args: PageArgs, ctx: Context) {
    const connection = await ctx.loaders.audience.members(audience(s, ctx), args);
    for (const c of connection.nodes) ctx.loaders.customer.prime(c.id, c);
    return connection;
  },
};
