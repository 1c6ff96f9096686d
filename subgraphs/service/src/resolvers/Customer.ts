import type { PageArgs } from '@cx/platform';
import type { Context } from '../context.ts';
import type { CareReminderRow } from '../db/schema.ts';

export const Customer = {
  __resolveReference(ref: { id: string }) {
    return { id: ref.id };
  },
  complaints(c: { id: string }, args: PageArgs, ctx: Context) {
    return ctx.loaders.complaintsOfCustomer(c.id, args);
  },
  appointments(c: { id: string }, args: PageArgs, ctx: Context) {
    return ctx.loaders.appointmentsOfCustomer(c.id, args);
  },
  roadsideCases(c: { id: string }, args: PageArgs, ctx: Context) {
    return ctx.loaders.roadsideCasesOfCustomer(c.id, args);
  },
  careReminders(
    c: { id: string },
    args: PageArgs & { status?: CareReminderRow['status'] | null },
    ctx: Context,
  ) {
    return ctx.loaders.careRemindersOfCustomer(c.id, args.status ?? null, args);
  },
};
