import { dealerOf, forbidden, holdsPiiScope, isHq } from '@cx/platform';
import { GraphQLError } from 'graphql';
import type { Context } from './context.ts';
import type { CustomerRow } from './db/schema.ts';

/**
 * Dealer roles see the customers related to their dealer (preferred dealer, or a lead, purchase
 * or service visit recorded in the dealer_relationships projection); HQ sees everyone. A direct
 * lookup or an entity reference out of scope is FORBIDDEN, never data.
 */
export async function assertCustomerVisible(ctx: Context, customer: CustomerRow): Promise<CustomerRow> {
  const dealer = dealerOf(ctx.viewer);
  if (dealer === null || customer.preferredDealerCode === dealer) return customer;
  if (await ctx.loaders.relatedToViewerDealer.load(customer.id)) return customer;
  throw forbidden('Customer', customer.id);
}

/**
 * Unmasked PII needs the PII scope; a dealer additionally needs the customer's consent to share
 * data with dealers (DATA_SHARING_DEALER).
 */
export async function canSeePii(ctx: Context, customer: CustomerRow): Promise<boolean> {
  if (!ctx.viewer || !holdsPiiScope(ctx.viewer)) return false;
  if (isHq(ctx.viewer)) return true;
  const consents = await ctx.loaders.consents.load(customer.id);
  return consents.some((c) => c.purpose === 'DATA_SHARING_DEALER' && c.granted);
}

/**
 * Merging people, the merge ledger, segments, marketing exports and behavior events span every
 * dealer's customers: HQ roles only. Without a viewer (in-process, no gateway) nothing is restricted.
 */
export function requireHq(ctx: Context, operation: string): void {
  if (ctx.viewer && !isHq(ctx.viewer))
    throw new GraphQLError(`${operation} needs an HQ role`, { extensions: { code: 'FORBIDDEN', operation } });
}
