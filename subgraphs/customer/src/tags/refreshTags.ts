import type { Db } from '@cx/platform';
import type { CustomerFactsRow } from '../db/schema.ts';
import { findCustomersByIds } from '../repositories/customers.ts';
import { findFacts, findLatestEvents, findOwnedBrandTags, replaceTags } from '../repositories/tags.ts';
import { loadTrees, storedOf, type Trees } from '../repositories/trees.ts';
import { behaviorTags, maxBehaviorWindowMs } from './behaviorRules.ts';
import { factTags } from './factTags.ts';
import { combineFacts, predictiveTags } from './predictiveRules.ts';
import type { TagDraft } from './types.ts';

export interface TagProfile {
  birthDate: string | null;
  city: string | null;
}

const groupBy = <T>(rows: readonly T[], key: (row: T) => string | undefined) => {
  const out = new Map<string, T[]>();
  for (const row of rows) {
    const k = key(row);
    if (k === undefined) continue;
    const group = out.get(k);
    if (group) group.push(row);
    else out.set(k, [row]);
  }
  return out;
};

/** Owned brands: from the facts projection once it knows them, else the owns: tags already held. */
function ownedBrands(facts: CustomerFactsRow[], legacyKeys: string[]): string[] {
  const known = facts.filter((f) => f.ownedBrands !== null);
  if (known.length > 0) return known.flatMap((f) => f.ownedBrands ?? []);
  return legacyKeys.map((k) => k.slice('owns:'.length));
}

/**
 * Recomputes every tag of these merge trees from what the customer subgraph holds: fact tags
 * from the profile, behavior tags from events in their windows, predictive tags from the facts
 * projection; all of a tree's events and facts count for its root. A constant number of
 * statements, however many customers.
 */
export async function refreshTags(
  db: Db,
  trees: Trees,
  profiles: ReadonlyMap<string, TagProfile>,
  now: Date,
  retired: readonly string[] = [],
): Promise<void> {
  if (trees.roots.length === 0 && retired.length === 0) return;
  const rootOf = (id: string) => trees.rootOf.get(id);
  const since = new Date(now.getTime() - maxBehaviorWindowMs);
  const stored = storedOf(trees, trees.all);
  const events = groupBy(await findLatestEvents(db, stored, since), (e) => rootOf(e.customerId));
  const facts = groupBy(await findFacts(db, stored), (f) => rootOf(f.customerId));
  const needLegacy = storedOf(trees, trees.roots).filter(
    (r) => !(facts.get(r) ?? []).some((f) => f.ownedBrands !== null),
  );
  const legacy = groupBy(
    await findOwnedBrandTags(
      db,
      needLegacy.flatMap((r) => [r, ...(trees.membersOf.get(r) ?? [])]),
    ),
    (t) => rootOf(t.customerId),
  );
  const rows: (TagDraft & { customerId: string })[] = [];
  for (const root of trees.roots) {
    const profile = profiles.get(root) ?? { birthDate: null, city: null };
    const rootFacts = facts.get(root) ?? [];
    const drafts = [
      ...factTags(
        {
          ...profile,
          ownedBrands: ownedBrands(
            rootFacts,
            (legacy.get(root) ?? []).map((t) => t.key),
          ),
        },
        now,
      ),
      ...behaviorTags(events.get(root) ?? [], now),
      ...predictiveTags(combineFacts(rootFacts), now),
    ];
    // Not `{ ...d, customerId }`: see unnestRows on spreads.
    for (const d of drafts)
      rows.push({
        customerId: root,
        key: d.key,
        label: d.label,
        kind: d.kind,
        score: d.score,
        expiresAt: d.expiresAt,
      });
  }
  await replaceTags(db, [...stored, ...retired], rows, now, trees.fresh);
}

/** For callers that changed events or facts but not profiles: loads what refreshTags needs. */
export async function refreshTagsOf(db: Db, roots: readonly string[], now: Date): Promise<void> {
  if (roots.length === 0) return;
  const trees = await loadTrees(db, roots);
  const profiles = new Map((await findCustomersByIds(db, trees.roots)).map((c) => [c.id, c]));
  await refreshTags(db, trees, profiles, now);
}
