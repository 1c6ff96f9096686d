import type { TagDraft } from './types.ts';

/** The profile fields fact tags read. */
export interface FactInputs {
  birthDate: string | null;
  city: string | null;
  /** Brands of the vehicles the customer owns (from the vehicle subgraph's events). */
  ownedBrands: readonly string[];
}

const SHANGHAI_OFFSET_MS = 8 * 3_600_000;

/** Whole years of age on `now`'s calendar date in Asia/Shanghai. */
export function ageOn(birthDate: string, now: Date): number {
  const today = new Date(now.getTime() + SHANGHAI_OFFSET_MS);
  const [y, m, d] = birthDate.split('-').map(Number) as [number, number, number];
  const beforeBirthday =
    today.getUTCMonth() + 1 < m || (today.getUTCMonth() + 1 === m && today.getUTCDate() < d);
  return today.getUTCFullYear() - y - (beforeBirthday ? 1 : 0);
}

/** The age bands marketing works with; keys match the demo data (`age:30-39`). */
export function ageBand(age: number): string {
  if (age < 30) return 'under-30';
  if (age < 40) return '30-39';
  if (age < 50) return '40-49';
  return '50-plus';
}

/** Fact tags are a pure function of the profile: recomputed whenever the profile changes. */
export function factTags(inputs: FactInputs, now: Date): TagDraft[] {
  const tags: TagDraft[] = [];
  if (inputs.birthDate) {
    const band = ageBand(ageOn(inputs.birthDate, now));
    tags.push(fact(`age:${band}`, `Age ${band}`));
  }
  if (inputs.city) tags.push(fact(`city:${inputs.city}`, `Lives in ${inputs.city}`));
  for (const brand of [...new Set(inputs.ownedBrands)].sort())
    tags.push(fact(`owns:${brand}`, `Owns a ${brand}`));
  return tags;
}

// Module-level, not a closure per call: an ingest batch derives the fact tags of ~1,000 customers.
const fact = (key: string, label: string): TagDraft => ({
  key,
  label,
  kind: 'FACT',
  score: null,
  expiresAt: null,
});
