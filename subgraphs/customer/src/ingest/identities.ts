import { maskEmail } from '@cx/platform/domain/email';
import type { IdentityKey, Source } from '../db/schema.ts';
import type { IdentityUpsert } from '../repositories/ingest.ts';
import type { StoredPayload } from './normalize.ts';

/**
 * The identities a source record carries, owned by `customerId`: its external id, and its phone,
 * ID hash and email. Each a literal with every field (an ingest batch builds ~2,700 of them).
 */
export function identitiesOf(
  record: {
    source: Source;
    externalId: string;
    payload: StoredPayload;
  },
  customerId: string,
): IdentityUpsert[] {
  const p = record.payload;
  const out: IdentityUpsert[] = [
    {
      customerId,
      kind: 'EXTERNAL_ID',
      source: record.source,
      valueKey: record.externalId,
      display: record.externalId,
      verified: true,
    },
  ];
  if (p.phone)
    out.push({
      customerId,
      kind: 'PHONE',
      source: record.source,
      valueKey: p.phone,
      display: p.phone,
      verified: p.phoneVerified,
    });
  if (p.nationalIdHash) {
    out.push({
      customerId,
      kind: 'NATIONAL_ID',
      source: record.source,
      valueKey: p.nationalIdHash,
      display: p.nationalIdLast4!,
      verified: true,
    });
  }
  if (p.email)
    out.push({
      customerId,
      kind: 'EMAIL',
      source: record.source,
      valueKey: p.email,
      display: maskEmail(p.email),
      verified: false,
    });
  return out;
}

export const identityKeyOf = (i: IdentityKey) => `${i.kind}\u0000${i.source}\u0000${i.valueKey}`;
