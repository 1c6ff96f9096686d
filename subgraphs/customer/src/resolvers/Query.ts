import { badInput, notFound, type PageArgs, parsePageArgs, toConnection } from '@cx/platform';
import { normalizePhone } from '@cx/platform/domain/phone';
import type { Context } from '../context.ts';
import type { CustomerRow } from '../db/schema.ts';
import { type CustomerSearch, countCustomers, searchCustomers } from '../repositories/customers.ts';

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function assertCustomerId(id: string, field = 'id'): string {
  if (!uuidPattern.test(id)) throw badInput(field, 'is not a customer id', 'INVALID_ID');
  return id.toLowerCase();
}

/** Loads a customer by id; a merged-away id resolves to its survivor (merge chains are kept flat). */
export async function loadCustomer(ctx: Context, id: string): Promise<CustomerRow | null> {
  const row = await ctx.loaders.customer.load(id);
  if (!row?.mergedInto) return row;
  return ctx.loaders.customer.load(row.mergedInto);
}

interface CustomersArgs extends PageArgs {
  filter?: {
    phone?: string | null;
    namePrefix?: string | null;
    city?: string | null;
    tag?: string | null;
  } | null;
}

function toSearch(filter: CustomersArgs['filter']): CustomerSearch {
  const search: CustomerSearch = {};
  if (filter?.phone) {
    const phone = normalizePhone(filter.phone);
    if (!phone.ok) throw badInput('filter.phone', phone.message, phone.code);
    search.phone = phone.phone;
  }
  if (filter?.namePrefix?.trim()) search.namePrefix = filter.namePrefix.trim();
  if (filter?.city?.trim()) search.city = filter.city.trim();
  if (filter?.tag?.trim()) search.tag = filter.tag.trim();
  return search;
}

export const Query = {
  async customer(_: unknown, args: { id: string }, ctx: Context) {
    const customer = await loadCustomer(ctx, assertCustomerId(args.id));
    if (!customer) throw notFound('Customer', args.id);
    return customer;
  },
  async customers(_: unknown, args: CustomersArgs, ctx: Context) {
    const page = parsePageArgs(args);
    const search = toSearch(args.filter);
    const rows = await searchCustomers(ctx.db, search, page);
    for (const row of rows) ctx.loaders.customer.prime(row.id, row);
    return toConnection(
      rows,
      page,
      (c) => ({ at: c.createdAt, id: c.id }),
      () => countCustomers(ctx.db, search),
    );
  },
};
