import { notFound } from '@cx/platform';
import { assertUuid } from '@cx/platform/ids';
import { channelRoi, type SalesAnalyticsFilter, salesFunnel, speedToLead } from '../analytics/queries.ts';
import type { Context } from '../context.ts';
import { visibleLead } from '../scope.ts';

/** Lifecycle lookups and sales analytics, merged into the Query resolvers. */
export const LifecycleQuery = {
  async testDrive(_: unknown, args: { id: string }, ctx: Context) {
    const drive = await ctx.loaders.testDrive.load(assertUuid(args.id, 'id', 'test drive'));
    if (!drive) throw notFound('TestDrive', args.id);
    // A test drive is as visible as its lead.
    visibleLead(ctx.viewer, await ctx.loaders.lead.load(drive.leadId));
    return drive;
  },
  async campaign(_: unknown, args: { code: string }, ctx: Context) {
    return ctx.loaders.campaign.load(args.code.trim());
  },
  async salesFunnel(_: unknown, args: { filter?: SalesAnalyticsFilter | null }, ctx: Context) {
    return salesFunnel(ctx.db, ctx.viewer, args.filter ?? {});
  },
  async speedToLead(_: unknown, args: { filter?: SalesAnalyticsFilter | null }, ctx: Context) {
    return speedToLead(ctx.db, ctx.viewer, args.filter ?? {});
  },
  async channelRoi(_: unknown, args: { filter?: SalesAnalyticsFilter | null }, ctx: Context) {
    return channelRoi(ctx.db, ctx.viewer, args.filter ?? {});
  },
};
