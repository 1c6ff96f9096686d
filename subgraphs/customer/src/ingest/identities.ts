import { maskEmail } from '@cx/platform/domain/email';
import type { IdentityKey, Source } from '../db/schema.ts';
import type { IdentityUpsert } from '../repositories/ingest.ts';
import type { StoredPayload } from './normalize.ts';

/** The identities a source record carries: its external id, and its phone, ID hash and email. */
export function identitiesOf(record: {
  source: Source;
  externalId: string;
  payload: StoredPayload;
}): Omit<IdentityUpsert, 'customerId'>[] {
  const p = record.payload;
  const out: Omit<IdentityUpsert, 'customerId'>[] = [
    {
      kind: 'EXTERNAL_ID',
      source: record.source,
      valueKey: record.externalId,
      display: record.externalId,
      verified: true,
    },
  ];
  if (p.phone)
    out.push({
      kind: 'PHONE',
      source: record.source,
      valueKey: p.phone,
      display: p.phone,
      verified: p.phoneVerified,
    });
  if (p.nationalIdHash) {
    out.push({
      kind: 'NATIONAL_ID',
      source: record.source,
      valueKey: p.nationalIdHash,
      display: p.nationalIdLast4!,
      verified: true,
    });
  }
  if (p.email)
    out.push({
      kind: 'EMAIL',
      source: record.source,
      valueKey: p.email,
      display: maskEmail(p.email),
      verified: false,
    });
  return out;
}

export const identityKeyOf = (i: IdentityKey) => `${i.kind}\u0000${i.source}\u0000${i.valueKey}`;
