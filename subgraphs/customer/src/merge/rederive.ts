import type { Db } from '@cx/platform';
import { type ConsentChangeContext, refreshConsents } from '../consents/refreshConsents.ts';
import type { SourceRecordRow } from '../db/schema.ts';
import type { StoredPayload } from '../ingest/normalize.ts';
import { deriveProfile, type Profile } from '../ingest/survivorship.ts';
import { deleteConsentsOf } from '../repositories/consents.ts';
import { findCustomersByIds } from '../repositories/customers.ts';
import { findSourceRecordsByCustomerIds, upsertCustomers } from '../repositories/ingest.ts';
import { loadTrees } from '../repositories/trees.ts';
import { refreshTags, type TagProfile } from '../tags/refreshTags.ts';

/** What re-derivation reads of a source record. */
export type DerivationRecord = Pick<SourceRecordRow, 'customerId' | 'source' | 'observedAt' | 'payload'>;

export interface RederiveOptions {
  /** The roots' source records when the caller already holds them (all of them, per root). */
  records?: readonly DerivationRecord[];
  /** Customers that just stopped being roots (merged away): their tags and consents go. */
  retired?: string[];
  /** Roots created in the caller's transaction that held nothing before it (see Trees.fresh). */
  fresh?: ReadonlySet<string>;
}

/**
 * Everything derived about a person, re-derived from what they own: the profile (survivorship
 * over all source records), consents and tags. Run after ingest, merge and unmerge.
 */
export async function rederive(
  db: Db,
  roots: readonly string[],
  context: ConsentChangeContext,
  options: RederiveOptions = {},
): Promise<Map<string, Profile>> {
  const trees = await loadTrees(db, roots, options.fresh);
  const records = options.records ?? (await findSourceRecordsByCustomerIds(db, trees.roots));
  const recordsOf = new Map<string, DerivationRecord[]>();
  for (const r of records) {
    const own = recordsOf.get(r.customerId);
    if (own) own.push(r);
    else recordsOf.set(r.customerId, [r]);
  }
  const profiles = new Map<string, Profile>();
  for (const [id, own] of recordsOf) {
    if (!trees.rootOf.has(id)) continue;
    profiles.set(
      id,
      deriveProfile(
        own.map((r) => ({
          source: r.source,
          observedAt: r.observedAt,
          payload: r.payload as unknown as StoredPayload,
        })),
      ),
    );
  }
  // A customer without source records (created by other means) keeps the profile it has.
  await upsertCustomers(
    db,
    [...profiles].map(([id, p]) => ({ id, mergedInto: null, ...p })),
    context.now,
    options.fresh,
  );
  const tagProfiles = new Map<string, TagProfile>(profiles);
  const missing = trees.roots.filter((r) => !profiles.has(r));
  for (const c of await findCustomersByIds(db, missing)) tagProfiles.set(c.id, c);
  await refreshConsents(db, trees, records, context);
  await deleteConsentsOf(db, options.retired ?? []);
  await refreshTags(db, trees, tagProfiles, context.now, options.retired);
  return profiles;
}
