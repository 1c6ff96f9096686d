import type { ConsentPurpose, Source } from '../db/schema.ts';

/** One statement about one purpose: from a source record, or made directly by the customer. */
export interface ConsentStatement {
  purpose: ConsentPurpose;
  granted: boolean;
  at: Date;
  source: Source;
  direct: boolean;
}

/**
 * The current consent per purpose is the latest statement anyone recorded for the person; on a
 * tie the customer's direct statement wins over a source record. So a re-derivation after an
 * ingest, a merge or an unmerge can never resurrect a consent the customer withdrew later.
 */
export function deriveConsents(
  statements: readonly ConsentStatement[],
): Map<ConsentPurpose, ConsentStatement> {
  const latest = new Map<ConsentPurpose, ConsentStatement>();
  for (const s of statements) {
    const prev = latest.get(s.purpose);
    const newer =
      !prev ||
      s.at.getTime() > prev.at.getTime() ||
      (s.at.getTime() === prev.at.getTime() && s.direct && !prev.direct);
    if (newer) latest.set(s.purpose, s);
  }
  return latest;
}
