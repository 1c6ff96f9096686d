import { badInput, type PiiCipher } from '@cx/platform';
import { normalizeEmail } from '@cx/platform/domain/email';
import { validateNationalId } from '@cx/platform/domain/nationalId';
import { normalizePhone } from '@cx/platform/domain/phone';
import type { IdentityKey } from '../db/schema.ts';
import type { CustomerSearch } from '../repositories/customers.ts';

export interface CustomerFilterInput {
  phone?: string | null;
  namePrefix?: string | null;
  city?: string | null;
  tag?: string | null;
  dealerCode?: string | null;
  identity?: string | null;
}

/**
 * Every identity key a free-text value could be: it is normalized the way ingest normalizes each
 * kind, and a national ID is matched by its keyed hash, never in clear.
 */
export function identityKeysFor(
  value: string,
  pii: PiiCipher,
  now: Date,
): Pick<IdentityKey, 'kind' | 'valueKey'>[] {
  const keys: Pick<IdentityKey, 'kind' | 'valueKey'>[] = [{ kind: 'EXTERNAL_ID', valueKey: value }];
  const phone = normalizePhone(value);
  if (phone.ok) keys.push({ kind: 'PHONE', valueKey: phone.phone });
  const id = validateNationalId(value, now);
  if (id.ok) keys.push({ kind: 'NATIONAL_ID', valueKey: pii.keyedHash(id.id) });
  const email = normalizeEmail(value);
  if (email.ok) keys.push({ kind: 'EMAIL', valueKey: email.email });
  return keys;
}

export function toSearch(
  filter: CustomerFilterInput | null | undefined,
  pii: PiiCipher,
  now: Date,
): CustomerSearch {
  const search: CustomerSearch = { now };
  if (filter?.phone) {
    const phone = normalizePhone(filter.phone);
    if (!phone.ok) throw badInput('filter.phone', phone.message, phone.code);
    search.phone = phone.phone;
  }
  const text = (v: string | null | undefined) => v?.trim() || undefined;
  search.namePrefix = text(filter?.namePrefix);
  search.city = text(filter?.city);
  search.tag = text(filter?.tag);
  search.dealerCode = text(filter?.dealerCode);
  const identity = text(filter?.identity);
  if (identity) search.identity = identityKeysFor(identity, pii, now);
  return search;
}
