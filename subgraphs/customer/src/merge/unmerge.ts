import type { Db } from '@cx/platform';
import type { IdentityKey, SourceRecordRow } from '../db/schema.ts';
import { type MutationError, mutationError } from '../errors.ts';
import { identitiesOf, identityKeyOf } from '../ingest/identities.ts';
import type { StoredPayload } from '../ingest/normalize.ts';
import { erasedAmong } from '../privacy/erase.ts';
import { findSourceRecordsByCustomerIds } from '../repositories/ingest.ts';
import {
  findDependentMerges,
  findMergesByIds,
  findStandingEdges,
  lockIdentityGraph,
  markMergeUndone,
  moveIdentities,
  moveSourceRecords,
  setMergedInto,
} from '../repositories/merges.ts';
import { customerUnmerged, publish } from '../repositories/outbox.ts';
import { loadTrees } from '../repositories/trees.ts';
import type { MergeOutcome } from './manualMerge.ts';
import { rederive } from './rederive.ts';

const fail = (code: string, message: string): MergeOutcome => ({
  merge: null,
  userErrors: [mutationError('input.mergeId', code, message)] satisfies MutationError[],
});

/** Roots after removing one edge: follow the standing merge edges (merged -> survivor) upwards. */
export function resolveRoots(
  members: readonly string[],
  edges: ReadonlyMap<string, string>,
): Map<string, string> {
  const roots = new Map<string, string>();
  for (const id of members) {
    let root = id;
    const seen = new Set<string>();
    while (edges.has(root) && !seen.has(root)) {
      seen.add(root);
      root = edges.get(root)!;
    }
    roots.set(id, root);
  }
  return roots;
}

/**
 * Identities go back with the records that carry them: the ledger's keys, plus the keys of the
 * merged customer's records as they read now (a record may have been re-sent since the merge),
 * except keys a record staying with the survivor carries too.
 */
export function identitiesToHandBack(
  ledgerKeys: readonly IdentityKey[],
  records: readonly SourceRecordRow[],
  survivor: string,
): IdentityKey[] {
  const carried = (owner: (id: string) => boolean) =>
    records
      .filter((r) => owner(r.customerId))
      .flatMap((r) =>
        identitiesOf(
          { source: r.source, externalId: r.externalId, payload: r.payload as unknown as StoredPayload },
          r.customerId,
        ).map(({ kind, source, valueKey }) => ({
          kind,
          source,
          valueKey,
        })),
      );
  const staying = new Set(carried((id) => id === survivor).map(identityKeyOf));
  const keys = new Map<string, IdentityKey>();
  for (const k of [...ledgerKeys, ...carried((id) => id !== survivor)])
    if (!staying.has(identityKeyOf(k))) keys.set(identityKeyOf(k), k);
  return [...keys.values()];
}

/**
 * Undoes one merge: the merged customer gets back the source records and identities the ledger
 * says it brought (its natural keys), everyone in the tree resolves along the merges that still
 * stand, both people are re-derived (profile, consents, tags) and the ledger row is marked undone.
 * Merges are undone last-in first-out along a chain: a later merge that moved what this one
 * brought must be undone first.
 */
export async function unmerge(
  db: Db,
  mergeId: string,
  context: { now: Date; actor: string },
): Promise<MergeOutcome> {
  return db.transaction(async (tx) => {
    await lockIdentityGraph(tx);
    const [merge] = await findMergesByIds(tx, [mergeId]);
    if (!merge) return fail('MERGE_NOT_FOUND', `no merge ${mergeId}`);
    if (merge.undoneAt)
      return fail(
        'MERGE_ALREADY_UNDONE',
        `was undone at ${merge.undoneAt.toISOString()} by ${merge.undoneBy ?? 'unknown'}`,
      );
    const erased = await erasedAmong(tx, [merge.survivorId, merge.mergedId]);
    if (erased) return fail('CUSTOMER_ERASED', `${erased} was erased (PIPL); its merges cannot be undone`);
    const [dependent] = await findDependentMerges(tx, merge);
    if (dependent)
      return fail(
        'MERGE_HAS_DEPENDENTS',
        `a later merge (${dependent.id}) moved what this one merged; undo that one first`,
      );

    const survivor = merge.survivorId;
    const trees = await loadTrees(tx, [survivor]);
    const members = trees.membersOf.get(survivor) ?? [];
    const edges = new Map(
      (await findStandingEdges(tx, members, merge.id)).map((e) => [e.mergedId, e.survivorId] as const),
    );
    const roots = resolveRoots(members, edges);
    await moveSourceRecords(tx, merge.movedSourceRecords, survivor, merge.mergedId);
    const records = await findSourceRecordsByCustomerIds(tx, [survivor, merge.mergedId]);
    await moveIdentities(
      tx,
      identitiesToHandBack(merge.movedIdentities, records, survivor),
      survivor,
      merge.mergedId,
    );
    await setMergedInto(
      tx,
      members.map((id) => ({ id, mergedInto: roots.get(id) === id ? null : roots.get(id)! })),
    );
    const undone = await markMergeUndone(tx, merge.id, context.now, context.actor);
    await rederive(tx, [survivor, merge.mergedId], { ...context, origin: 'UNMERGE' }, { records });
    await publish(tx, [customerUnmerged(undone)]);
    return { merge: undone, userErrors: [] };
  });
}
