import { createHash } from 'node:crypto';
import type { PiiCipher } from '@cx/platform';
import { normalizeEmail } from '@cx/platform/domain/email';
import { validateNationalId } from '@cx/platform/domain/nationalId';
import { normalizePhone } from '@cx/platform/domain/phone';
import type { Source } from '../db/schema.ts';
import { type RecordError, recordError } from '../errors.ts';

export type ConsentPurpose = 'MARKETING_SMS' | 'MARKETING_PUSH' | 'DATA_SHARING_DEALER' | 'SENSITIVE_ID';

export interface CustomerRecordInput {
  source: Source;
  externalId: string;
  name: string;
  phone?: string | null;
  phoneVerified?: boolean | null;
  nationalId?: string | null;
  email?: string | null;
  city?: string | null;
  province?: string | null;
  observedAt?: Date | null;
  consents?: { purpose: ConsentPurpose; granted: boolean }[] | null;
}

/** What is kept of a record: normalized, with the national ID only as ciphertext and keyed hash. */
export interface StoredPayload {
  name: string;
  phone: string | null;
  phoneVerified: boolean;
  email: string | null;
  nationalIdHash: string | null;
  nationalIdCipher: string | null;
  nationalIdLast4: string | null;
  gender: 'MALE' | 'FEMALE' | null;
  birthDate: string | null;
  city: string | null;
  province: string | null;
  consents: { purpose: ConsentPurpose; granted: boolean }[];
}

export interface NormalizedRecord {
  index: number;
  source: Source;
  externalId: string;
  observedAt: Date;
  payload: StoredPayload;
  payloadHash: string;
}

const MAX_TEXT = 200;

function text(value: string | null | undefined): string | null {
  const t = value?.trim();
  return t ? t : null;
}

type HashedPayload = Omit<StoredPayload, 'nationalIdCipher'>;

const json = JSON.stringify;

/**
 * `contentHash({ ...payload, observedAt })` without its generic key-sorting walk (a batch hashes
 * 1,000 of these): the same text, keys in sorted order, so stored hashes stay valid.
 */
export function payloadHashOf(p: HashedPayload, observedAt: string | null): string {
  const consents = p.consents.map((c) => `{"granted":${json(c.granted)},"purpose":${json(c.purpose)}}`);
  const text = `{"birthDate":${json(p.birthDate)},"city":${json(p.city)},"consents":[${consents.join(',')}],"email":${json(p.email)},"gender":${json(p.gender)},"name":${json(p.name)},"nationalIdHash":${json(p.nationalIdHash)},"nationalIdLast4":${json(p.nationalIdLast4)},"observedAt":${json(observedAt)},"phone":${json(p.phone)},"phoneVerified":${json(p.phoneVerified)},"province":${json(p.province)}}`;
  return createHash('sha256').update(text).digest('base64url');
}

/** Module-level, not a closure per record (tsx names every closure it creates, at a cost per call). */
function fail(errors: RecordError[], index: number, field: string, code: string, message: string): void {
  errors.push(recordError(index, field, code, message));
}

export function normalizeRecord(
  input: CustomerRecordInput,
  index: number,
  pii: PiiCipher,
  now: Date,
): { record: NormalizedRecord } | { errors: RecordError[] } {
  const errors: RecordError[] = [];
  const externalId = input.externalId.trim();
  if (!externalId || externalId.length > 64)
    fail(errors, index, 'externalId', 'EXTERNAL_ID_INVALID', 'must be 1 to 64 characters');
  const name = input.name.trim();
  if (!name || name.length > MAX_TEXT)
    fail(errors, index, 'name', 'NAME_INVALID', `must be 1 to ${MAX_TEXT} characters`);

  let phone: string | null = null;
  if (text(input.phone)) {
    const r = normalizePhone(input.phone!);
    if (r.ok) phone = r.phone;
    else fail(errors, index, 'phone', r.code, r.message);
  }
  let email: string | null = null;
  if (text(input.email)) {
    const r = normalizeEmail(input.email!);
    if (r.ok) email = r.email;
    else fail(errors, index, 'email', r.code, r.message);
  }
  let nationalId: { id: string; birthDate: string; sex: 'MALE' | 'FEMALE' } | null = null;
  if (text(input.nationalId)) {
    const r = validateNationalId(input.nationalId!, now);
    if (r.ok) nationalId = r;
    else fail(errors, index, 'nationalId', r.code, r.message);
  }
  const city = text(input.city);
  const province = text(input.province);
  if ((city?.length ?? 0) > MAX_TEXT)
    fail(errors, index, 'city', 'CITY_INVALID', `must be at most ${MAX_TEXT} characters`);
  const observedAt = input.observedAt ?? now;
  if (observedAt.getTime() > now.getTime() + 5 * 60_000)
    fail(errors, index, 'observedAt', 'OBSERVED_IN_FUTURE', 'lies in the future');
  if (errors.length > 0) return { errors };

  const consents = (input.consents ?? [])
    .map((c) => ({ purpose: c.purpose, granted: c.granted }))
    .sort((a, b) => (a.purpose < b.purpose ? -1 : 1));
  // One literal with every field (not `{ ...hashed, nationalIdCipher }`: see unnestRows on spreads).
  const payload: StoredPayload = {
    name,
    phone,
    phoneVerified: Boolean(input.phoneVerified && phone),
    email,
    nationalIdHash: nationalId ? pii.keyedHash(nationalId.id) : null,
    nationalIdCipher: nationalId ? pii.encrypt(nationalId.id) : null,
    nationalIdLast4: nationalId ? nationalId.id.slice(-4) : null,
    gender: nationalId?.sex ?? null,
    birthDate: nationalId?.birthDate ?? null,
    city,
    province,
    consents,
  };
  return {
    record: {
      index,
      source: input.source,
      externalId,
      observedAt,
      // observedAt is part of the hash: a later observation of the same values is news.
      payloadHash: payloadHashOf(payload, input.observedAt?.toISOString() ?? null),
      payload,
    },
  };
}
