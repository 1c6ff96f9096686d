import type { Db } from '@cx/platform';
import type { MergeRecordRow } from '../db/schema.ts';
import { type MutationError, mutationError } from '../errors.ts';
import { findCustomersByIds } from '../repositories/customers.ts';
import {
  findIdentityKeysByCustomerIds,
  findSourceRecordsByCustomerIds,
  repointCustomers,
} from '../repositories/ingest.ts';
import { insertMergeRecords, lockIdentityGraph } from '../repositories/merges.ts';
import { customerMerged, publish } from '../repositories/outbox.ts';
import { rederive } from './rederive.ts';

export interface ManualMergeInput {
  survivorId: string;
  mergedId: string;
  reason: string;
}

export interface MergeOutcome {
  merge: MergeRecordRow | null;
  userErrors: MutationError[];
}

const fail = (field: string, code: string, message: string): MergeOutcome => ({
  merge: null,
  userErrors: [mutationError(field, code, message)],
});

/**
 * A data steward's merge (rule MANUAL): the merged person's tree joins the survivor's, with the
 * same ledger entry, re-derivation and event as an automatic merge, so it can be undone the same way.
 */
export async function mergeManually(
  db: Db,
  input: ManualMergeInput,
  context: { now: Date; actor: string },
): Promise<MergeOutcome> {
  const reason = input.reason.trim();
  if (!reason || reason.length > 500)
    return fail('input.reason', 'REASON_INVALID', 'must be 1 to 500 characters');
  return db.transaction(async (tx) => {
    await lockIdentityGraph(tx);
    const rows = new Map(
      (await findCustomersByIds(tx, [input.survivorId, input.mergedId])).map((c) => [c.id, c]),
    );
    const survivor = rows.get(input.survivorId);
    const merged = rows.get(input.mergedId);
    if (!survivor) return fail('input.survivorId', 'CUSTOMER_NOT_FOUND', `no customer ${input.survivorId}`);
    if (!merged) return fail('input.mergedId', 'CUSTOMER_NOT_FOUND', `no customer ${input.mergedId}`);
    // An erased person's data is gone; merging would attach a living record to the tombstone.
    for (const [field, row] of [
      ['input.survivorId', survivor],
      ['input.mergedId', merged],
    ] as const)
      if (row.erasedAt) return fail(field, 'CUSTOMER_ERASED', `${row.id} was erased (PIPL)`);
    const survivorRoot = survivor.mergedInto ?? survivor.id;
    const mergedRoot = merged.mergedInto ?? merged.id;
    if (survivorRoot === mergedRoot)
      return fail('input.mergedId', 'ALREADY_MERGED', `is already the same person as ${input.survivorId}`);

    // What the merged person owns now: the ledger keeps these natural keys so unmerge can hand them back.
    const movedSourceRecords = (await findSourceRecordsByCustomerIds(tx, [mergedRoot])).map((r) => ({
      source: r.source,
      externalId: r.externalId,
    }));
    const movedIdentities = (await findIdentityKeysByCustomerIds(tx, [mergedRoot])).map((i) => ({
      kind: i.kind,
      source: i.source,
      valueKey: i.valueKey,
    }));
    await repointCustomers(tx, [{ from: mergedRoot, to: survivorRoot }]);
    const [merge] = await insertMergeRecords(tx, [
      {
        survivorId: survivorRoot,
        mergedId: mergedRoot,
        rule: 'MANUAL',
        evidence: { reason, requested: { survivorId: input.survivorId, mergedId: input.mergedId } },
        source: null,
        actor: context.actor,
        movedIdentities,
        movedSourceRecords,
        createdAt: context.now,
      },
    ]);
    await rederive(tx, [survivorRoot], { ...context, origin: 'MERGE' }, { retired: [mergedRoot] });
    await publish(tx, [customerMerged(merge!)]);
    return { merge: merge!, userErrors: [] };
  });
}
