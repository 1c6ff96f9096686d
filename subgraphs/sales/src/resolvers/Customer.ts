import type { PageArgs } from '@cx/platform';
import type { Context } from '../context.ts';

export const Customer = {
  __resolveReference(ref: { id: string }) {
    return { id: ref.id };
  },
  leads(c: { id: string }, args: PageArgs, ctx: Context) {
    return ctx.loaders.leadsOfCustomer(c.id, args);
  },
  orders(c: { id: string }, args: PageArgs, ctx: Context) {
    return ctx.loaders.ordersOfCustomer(c.id, args);
  },
};
