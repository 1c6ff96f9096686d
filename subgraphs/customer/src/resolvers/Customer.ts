import type { PageArgs } from '@cx/platform';
import { maskEmail } from '@cx/platform/domain/email';
import { maskNationalId } from '@cx/platform/domain/nationalId';
import { maskPhone } from '@cx/platform/domain/phone';
import type { Context } from '../context.ts';
import type { CustomerRow, IdentityRow } from '../db/schema.ts';
import { loadCustomer } from './Query.ts';

function maskIdentity(identity: IdentityRow, ctx: Context): string {
  switch (identity.kind) {
    case 'PHONE':
      return ctx.piiScope ? identity.display : maskPhone(identity.display);
    case 'NATIONAL_ID':
      // Only the last 4 are stored in clear; the full number lives encrypted on the profile.
      return maskNationalId(identity.display);
    case 'EMAIL':
    case 'EXTERNAL_ID':
      return identity.display;
  }
}

export const Customer = {
  async __resolveReference(ref: { id: string }, ctx: Context) {
    return loadCustomer(ctx, ref.id);
  },
  phone(c: CustomerRow, _: unknown, ctx: Context) {
    if (!c.phone) return null;
    return ctx.piiScope ? c.phone : maskPhone(c.phone);
  },
  email(c: CustomerRow, _: unknown, ctx: Context) {
    if (!c.email) return null;
    return ctx.piiScope ? c.email : maskEmail(c.email);
  },
  nationalId(c: CustomerRow, _: unknown, ctx: Context) {
    if (!c.nationalIdCipher) return null;
    return ctx.piiScope ? ctx.pii.decrypt(c.nationalIdCipher) : maskNationalId(c.nationalIdLast4 ?? '');
  },
  async identities(c: CustomerRow, _: unknown, ctx: Context) {
    const rows = await ctx.loaders.identities.load(c.id);
    return rows.map((i) => ({
      kind: i.kind,
      source: i.source,
      verified: i.verified,
      value: maskIdentity(i, ctx),
    }));
  },
  async tags(c: CustomerRow, _: unknown, ctx: Context) {
    const now = ctx.now().getTime();
    const rows = await ctx.loaders.tags.load(c.id);
    // Behavior tags are time-windowed: an expired one is no longer a fact about the person.
    return rows.filter((t) => !t.expiresAt || t.expiresAt.getTime() > now);
  },
  async consents(c: CustomerRow, _: unknown, ctx: Context) {
    return ctx.loaders.consents.load(c.id);
  },
  async consentHistory(c: CustomerRow, args: PageArgs, ctx: Context) {
    return ctx.loaders.consentHistory(c.id, args);
  },
  async mergeHistory(c: CustomerRow, args: PageArgs, ctx: Context) {
    return ctx.loaders.mergeHistory(c.id, args);
  },
};
