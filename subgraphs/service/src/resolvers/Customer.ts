import type { PageArgs } from '@cx/platform';
import type { Context } from '../context.ts';

export const Customer = {
  __resolveReference(ref: { id: string }) {
    return { id: ref.id };
  },
  complaints(c: { id: string }, args: PageArgs, ctx: Context) {
    return ctx.loaders.complaintsOfCustomer(c.id, args);
  },
};
