import {
  assertUuid,
  dealerOf,
  forbidden,
  notFound,
  type PageArgs,
  parsePageArgs,
  toConnection,
} from '@cx/platform';
import type { Context } from '../context.ts';
import type { CustomerRow } from '../db/schema.ts';
import { findErasuresByCustomers } from '../privacy/repositories.ts';
import { countCustomers, findCustomersByIds, searchCustomers } from '../repositories/customers.ts';
import { countAllSegments, listSegments } from '../repositories/segments.ts';
import { assertCustomerVisible, requireHq } from '../scope.ts';
import { type CustomerFilterInput, toSearch } from '../search/searchFilter.ts';

export function assertCustomerId(id: string, field = 'id'): string {
  return assertUuid(id, field, 'customer');
}

/** Loads a customer by id; a merged-away id resolves to its survivor (merge chains are kept flat). */
export async function loadCustomer(ctx: Context, id: string): Promise<CustomerRow | null> {
  const row = await ctx.loaders.customer.load(id);
  const survivor = row?.mergedInto ? await ctx.loaders.customer.load(row.mergedInto) : row;
  return survivor ? assertCustomerVisible(ctx, survivor) : null;
}

interface CustomersArgs extends PageArgs {
  filter?: CustomerFilterInput | null;
}

export const Query = {
  async customer(_: unknown, args: { id: string }, ctx: Context) {
    const customer = await loadCustomer(ctx, assertCustomerId(args.id));
    if (!customer) throw notFound('Customer', args.id);
    return customer;
  },
  async customers(_: unknown, args: CustomersArgs, ctx: Context) {
    const page = parsePageArgs(args);
    const search = toSearch(args.filter, ctx.pii, ctx.now());
    // A dealer searches only among its own customers, whatever the filter asks.
    const dealer = dealerOf(ctx.viewer);
    if (dealer !== null) {
      if (search.dealerCode && search.dealerCode !== dealer) throw forbidden('Dealer', search.dealerCode);
      search.dealerCode = dealer;
    }
    const rows = await searchCustomers(ctx.db, search, page);
    for (const row of rows) ctx.loaders.customer.prime(row.id, row);
    return toConnection(
      rows,
      page,
      (c) => ({ at: c.createdAt, id: c.id }),
      () => countCustomers(ctx.db, search),
    );
  },
  async customerMerge(_: unknown, args: { id: string }, ctx: Context) {
    requireHq(ctx, 'customerMerge');
    return ctx.loaders.merge.load(assertUuid(args.id, 'id', 'merge'));
  },
  async customerErasure(_: unknown, args: { customerId: string }, ctx: Context) {
    requireHq(ctx, 'customerErasure');
    const [row] = await findCustomersByIds(ctx.db, [assertCustomerId(args.customerId, 'customerId')]);
    if (!row) return null;
    const [erasure] = await findErasuresByCustomers(ctx.db, [row.mergedInto ?? row.id]);
    return erasure ?? null;
  },
  async segment(_: unknown, args: { id: string }, ctx: Context) {
    requireHq(ctx, 'segment');
    return ctx.loaders.segment.load(assertUuid(args.id, 'id', 'segment'));
  },
  async segments(_: unknown, args: PageArgs, ctx: Context) {
    requireHq(ctx, 'segments');
    const page = parsePageArgs(args);
    const rows = await listSegments(ctx.db, page);
    for (const row of rows) ctx.loaders.segment.prime(row.id, row);
    return toConnection(
      rows,
      page,
      (s) => ({ at: s.createdAt, id: s.id }),
      () => countAllSegments(ctx.db),
    );
  },
  async segmentExport(_: unknown, args: { id: string }, ctx: Context) {
    requireHq(ctx, 'segmentExport');
    return ctx.loaders.segmentExport.load(assertUuid(args.id, 'id', 'segment export'));
  },
};
