import type { PageArgs } from '@cx/platform';
import { maskEmail } from '@cx/platform/domain/email';
import { maskNationalId } from '@cx/platform/domain/nationalId';
import { maskPhone } from '@cx/platform/domain/phone';
import type { Context } from '../context.ts';
import type { CustomerRow, IdentityRow } from '../db/schema.ts';
import { canSeePii } from '../scope.ts';
import { loadCustomer } from './Query.ts';

function maskIdentity(identity: IdentityRow, unmasked: boolean): string {
  switch (identity.kind) {
    case 'PHONE':
      return unmasked ? identity.display : maskPhone(identity.display);
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
  // Masking happens here, in the owning subgraph, so no other path can leak the clear value.
  async phone(c: CustomerRow, _: unknown, ctx: Context) {
    if (!c.phone) return null;
    return (await canSeePii(ctx, c)) ? c.phone : maskPhone(c.phone);
  },
  async email(c: CustomerRow, _: unknown, ctx: Context) {
    if (!c.email) return null;
    return (await canSeePii(ctx, c)) ? c.email : maskEmail(c.email);
  },
  async nationalId(c: CustomerRow, _: unknown, ctx: Context) {
    if (!c.nationalIdCipher) return null;
    if (!(await canSeePii(ctx, c))) return maskNationalId(c.nationalIdLast4 ?? '');
    // PIPL: every unmasked read of a national ID is written to the access log.
    ctx.logger.info(
      {
        audit: 'national_id_read',
        customerId: c.id,
        viewer: ctx.viewer?.sub,
        role: ctx.viewer?.role,
        dealer: ctx.viewer?.dealer,
      },
      'unmasked national ID read',
    );
    return ctx.pii.decrypt(c.nationalIdCipher);
  },
  async identities(c: CustomerRow, _: unknown, ctx: Context) {
    const [rows, unmasked] = await Promise.all([ctx.loaders.identities.load(c.id), canSeePii(ctx, c)]);
    return rows.map((i) => ({
      kind: i.kind,
      source: i.source,
      verified: i.verified,
      value: maskIdentity(i, unmasked),
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
