import type { Source } from '../db/schema.ts';
import type { StoredPayload } from './normalize.ts';

/** Tiebreak when two sources observed a value at the same moment: the dealer DMS is the most trusted. */
export const sourcePriority: Record<Source, number> = {
  DMS: 7,
  CALL_CENTER: 6,
  APP: 5,
  MINI_PROGRAM: 4,
  ECOMMERCE: 3,
  WEBSITE: 2,
  MEDIA_PLATFORM: 1,
};

export interface ObservedRecord {
  source: Source;
  observedAt: Date;
  payload: StoredPayload;
}

export interface Profile {
  displayName: string;
  phone: string | null;
  email: string | null;
  nationalIdCipher: string | null;
  nationalIdLast4: string | null;
  gender: 'MALE' | 'FEMALE' | null;
  birthDate: string | null;
  city: string | null;
  province: string | null;
}

/** A value counts as verified when the source vouches for it: a verified phone, or anything from the DMS. */
function isVerified(record: ObservedRecord, field: keyof Profile): boolean {
  if (field === 'phone') return record.payload.phoneVerified;
  return record.source === 'DMS';
}

function pick<K extends keyof Profile>(
  records: ObservedRecord[],
  field: K,
  read: (p: StoredPayload) => Profile[K],
): Profile[K] | null {
  let best: { record: ObservedRecord; value: Profile[K] } | null = null;
  for (const record of records) {
    const value = read(record.payload);
    if (value === null || value === undefined) continue;
    if (!best || beats(record, best.record, field)) best = { record, value };
  }
  return best?.value ?? null;
}

function beats(a: ObservedRecord, b: ObservedRecord, field: keyof Profile): boolean {
  const va = isVerified(a, field);
  const vb = isVerified(b, field);
  if (va !== vb) return va;
  const dt = a.observedAt.getTime() - b.observedAt.getTime();
  if (dt !== 0) return dt > 0;
  return sourcePriority[a.source] > sourcePriority[b.source];
}

/** Survivorship: per field, the most recent verified value, with source priority as the tiebreak. */
export function deriveProfile(records: ObservedRecord[]): Profile {
  return {
    displayName: pick(records, 'displayName', (p) => p.name) ?? 'Unknown',
    phone: pick(records, 'phone', (p) => p.phone),
    email: pick(records, 'email', (p) => p.email),
    nationalIdCipher: pick(records, 'nationalIdCipher', (p) => p.nationalIdCipher),
    nationalIdLast4: pick(records, 'nationalIdLast4', (p) => p.nationalIdLast4),
    gender: pick(records, 'gender', (p) => p.gender),
    birthDate: pick(records, 'birthDate', (p) => p.birthDate),
    city: pick(records, 'city', (p) => p.city),
    province: pick(records, 'province', (p) => p.province),
  };
}
