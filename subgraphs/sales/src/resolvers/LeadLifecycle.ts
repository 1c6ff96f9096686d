import type { PageArgs } from '@cx/platform';
import type { Context } from '../context.ts';
import type { LeadRow } from '../db/schema.ts';

/** Lead fields of the lifecycle (timeline, follow-ups, test drives), merged into the Lead resolvers. */
export const LeadLifecycle = {
  timeline(l: LeadRow, args: PageArgs, ctx: Context) {
    return ctx.loaders.timelineOfLead(l.id, args);
  },
  followUps(l: LeadRow, args: PageArgs, ctx: Context) {
    return ctx.loaders.followUpsOfLead(l.id, args);
  },
  async testDrives(l: LeadRow, _: unknown, ctx: Context) {
    return ctx.loaders.testDrivesOfLead.load(l.id);
  },
};
