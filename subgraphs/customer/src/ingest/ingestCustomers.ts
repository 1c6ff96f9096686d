import { badInput, type Db, type PiiCipher, retryOnDeadlock, uuidv7, violatesUnique } from '@cx/platform';
import type { IdentityKey, Source, SourceRecordKey } from '../db/schema.ts';
import { type RecordError, recordError } from '../errors.ts';
import { type DerivationRecord, rederive } from '../merge/rederive.ts';
import {
  findIdentityKeysByCustomerIds,
  findMatchingIdentities,
  findSourceRecordsByCustomerIds,
  findSourceRecordsByKeys,
  repointCustomers,
  upsertCustomers,
  upsertIdentities,
  upsertSourceRecords,
} from '../repositories/ingest.ts';
import { insertMergeRecords, lockIdentityGraph } from '../repositories/merges.ts';
import { customerMerged, publish } from '../repositories/outbox.ts';
import { claimResolutionKeys, lockCustomers } from '../repositories/resolutionLocks.ts';
import { identitiesOf } from './identities.ts';
import {
  type CustomerRecordInput,
  type NormalizedRecord,
  normalizeRecord,
  type StoredPayload,
} from './normalize.ts';
import { deriveProfile } from './survivorship.ts';

export const MAX_BATCH = 1000;

export type CustomerIngestOutcome = 'CREATED' | 'MATCHED' | 'MERGED' | 'UNCHANGED';

export interface CustomerIngestResult {
  index: number;
  externalId: string;
  customerId: string;
  outcome: CustomerIngestOutcome;
}

export interface IngestReport {
  results: CustomerIngestResult[];
  userErrors: RecordError[];
}

const recordKey = (source: Source, externalId: string) => `${source}\u0000${externalId}`;

/** The deterministic keys a record resolves by: a verified phone and the national ID's keyed hash. */
function matchKeys(p: StoredPayload): { key: string; rule: string }[] {
  const keys: { key: string; rule: string }[] = [];
  if (p.phone && p.phoneVerified) keys.push({ key: `PHONE:${p.phone}`, rule: 'VERIFIED_PHONE' });
  if (p.nationalIdHash) keys.push({ key: `NATIONAL_ID:${p.nationalIdHash}`, rule: 'NATIONAL_ID' });
  return keys;
}

/** Union-find over customer ids: a merge points the loser at the survivor. */
class Survivors {
  private readonly parent = new Map<string, string>();
  find(id: string): string {
    let root = id;
    while (this.parent.has(root)) root = this.parent.get(root)!;
    return root;
  }
  union(loser: string, survivor: string): void {
    this.parent.set(this.find(loser), this.find(survivor));
  }
}

/**
 * The stored records and key owners this batch resolves against, with every customer they name
 * locked (their creation times rank survivors). Read, lock, and read again while a customer
 * locked in between turned out merged away: another batch held it, and the owners read before
 * that batch committed are stale. Match keys are locked already, so no new owner can appear; a
 * record another batch stores after the read makes this batch's insert of it fail, and the batch
 * runs again.
 */
async function lockedResolutionState(tx: Db, valid: readonly NormalizedRecord[]) {
  const phones = [...new Set(valid.filter((r) => r.payload.phoneVerified).map((r) => r.payload.phone!))];
  const idHashes = [
    ...new Set(valid.flatMap((r) => (r.payload.nationalIdHash ? [r.payload.nationalIdHash] : []))),
  ];
  const createdAt = new Map<string, number>();
  for (;;) {
    // Keys are unique within a batch (duplicates were rejected).
    const priorRecords = await findSourceRecordsByKeys(tx, valid);
    const keyMatches = await findMatchingIdentities(tx, { phones, idHashes });
    const existing = new Map(priorRecords.map((r) => [recordKey(r.source, r.externalId), r]));
    const dbKeyOwners = new Map<string, Set<string>>();
    for (const m of keyMatches) {
      const key = `${m.kind}:${m.valueKey}`;
      if (!dbKeyOwners.has(key)) dbKeyOwners.set(key, new Set());
      dbKeyOwners.get(key)!.add(m.customerId);
    }
    const named = new Set<string>(priorRecords.map((r) => r.customerId));
    for (const m of keyMatches) named.add(m.customerId);
    const locked = await lockCustomers(
      tx,
      [...named].filter((id) => !createdAt.has(id)),
    );
    for (const c of locked) createdAt.set(c.id, c.createdAt.getTime());
    if (locked.every((c) => c.mergedInto === null)) return { existing, dbKeyOwners, createdAt };
  }
}

/**
 * Ingests a batch in one transaction with a bounded number of statements: validation and
 * identity resolution happen in memory, the reads and writes are bulk statements.
 */
export async function ingestCustomers(
  db: Db,
  pii: PiiCipher,
  inputs: CustomerRecordInput[],
  options: { now: Date; actor: string },
): Promise<IngestReport> {
  if (inputs.length > MAX_BATCH)
    throw badInput('input.records', `accepts at most ${MAX_BATCH} records per call`, 'BATCH_TOO_LARGE');
  const { now } = options;
  const userErrors: RecordError[] = [];
  const valid: NormalizedRecord[] = [];
  const seen = new Set<string>();
  for (const [index, input] of inputs.entries()) {
    const result = normalizeRecord(input, index, pii, now);
    if ('errors' in result) {
      userErrors.push(...result.errors);
      continue;
    }
    const key = recordKey(result.record.source, result.record.externalId);
    if (seen.has(key)) {
      userErrors.push(
        recordError(
          index,
          'externalId',
          'DUPLICATE_IN_BATCH',
          'appears twice in this batch for the same source',
        ),
      );
      continue;
    }
    seen.add(key);
    valid.push(result.record);
  }
  if (valid.length === 0) return { results: [], userErrors };

  // Each record's keys, built once: the claim, the resolution and the merge evidence all read them.
  const keysOf = new Map(valid.map((r) => [r, matchKeys(r.payload)]));
  return retryOnDeadlock(
    () =>
      db.transaction(async (tx) => {
        await lockIdentityGraph(tx, 'shared');
        // Only the match keys: a source record's own key needs no claim. A batch that stores a
        // record another batch stored meanwhile fails on source_records' primary key and runs
        // again (below), then finds it. Claiming it cost every record a key row and a lock for
        // that rare race (a third of the claim, bench/PROFILE.md, session 10).
        await claimResolutionKeys(
          tx,
          valid.flatMap((r) => keysOf.get(r)!.map((k) => k.key)),
        );
        const { existing, dbKeyOwners, createdAt } = await lockedResolutionState(tx, valid);

        const survivors = new Survivors();
        const batchKeyOwners = new Map<string, string>();
        const created = new Set<string>();
        const merges: {
          loser: string;
          survivor: string;
          rule: string;
          evidence: Record<string, unknown>;
          source: Source;
        }[] = [];
        const resolved: { record: NormalizedRecord; customerId: string; outcome: CustomerIngestOutcome }[] =
          [];
        const unchanged: CustomerIngestResult[] = [];
        let order = 0;
        const age = (id: string) => createdAt.get(id) ?? now.getTime() + order;

        for (const record of valid) {
          const prior = existing.get(recordKey(record.source, record.externalId));
          if (prior && prior.payloadHash === record.payloadHash) {
            unchanged.push({
              index: record.index,
              externalId: record.externalId,
              customerId: prior.customerId,
              outcome: 'UNCHANGED',
            });
            continue;
          }
          const candidates = new Map<string, string>();
          if (prior) candidates.set(survivors.find(prior.customerId), 'SOURCE_RECORD');
          const keys = keysOf.get(record)!;
          for (const { key, rule } of keys) {
            for (const owner of dbKeyOwners.get(key) ?? [])
              if (!candidates.has(survivors.find(owner))) candidates.set(survivors.find(owner), rule);
            const inBatch = batchKeyOwners.get(key);
            if (inBatch && !candidates.has(survivors.find(inBatch)))
              candidates.set(survivors.find(inBatch), rule);
          }
          let customerId: string;
          let outcome: CustomerIngestOutcome;
          if (candidates.size === 0) {
            customerId = uuidv7(now.getTime());
            order += 1;
            createdAt.set(customerId, now.getTime() + order);
            created.add(customerId);
            outcome = 'CREATED';
          } else {
            // The oldest customer survives; ids then stay stable for every other subgraph's references.
            const ranked = [...candidates.keys()].sort((a, b) => age(a) - age(b) || (a < b ? -1 : 1));
            customerId = ranked[0]!;
            outcome = ranked.length > 1 ? 'MERGED' : 'MATCHED';
            for (const loser of ranked.slice(1)) {
              survivors.union(loser, customerId);
              merges.push({
                loser,
                survivor: customerId,
                rule: candidates.get(loser)!,
                evidence: {
                  source: record.source,
                  externalId: record.externalId,
                  keys: keys.map((k) => k.rule),
                },
                source: record.source,
              });
            }
          }
          for (const { key } of keys) batchKeyOwners.set(key, customerId);
          resolved.push({ record, customerId, outcome });
        }

        const finalId = (id: string) => survivors.find(id);
        const losers = new Set(merges.map((m) => m.loser));
        // What each merged-away customer owned before this batch, for the ledger that unmerge reads.
        const storedLosers = [...losers].filter((id) => !created.has(id));
        const loserSourceRecords = await findSourceRecordsByCustomerIds(tx, storedLosers);
        const loserIdentities = await findIdentityKeysByCustomerIds(tx, storedLosers);
        const ownedRecords = new Map<string, SourceRecordKey[]>();
        const ownedIdentities = new Map<string, IdentityKey[]>();
        const own = <T>(map: Map<string, T[]>, id: string, item: T) => {
          const owned = map.get(id);
          if (owned) owned.push(item);
          else map.set(id, [item]);
        };
        for (const r of loserSourceRecords)
          own(ownedRecords, r.customerId, { source: r.source, externalId: r.externalId });
        for (const i of loserIdentities)
          own(ownedIdentities, i.customerId, { kind: i.kind, source: i.source, valueKey: i.valueKey });
        for (const { record, customerId } of resolved) {
          if (!losers.has(customerId)) continue;
          own(ownedRecords, customerId, { source: record.source, externalId: record.externalId });
          for (const i of identitiesOf(record, customerId))
            own(ownedIdentities, customerId, { kind: i.kind, source: i.source, valueKey: i.valueKey });
        }

        await repointCustomers(
          tx,
          storedLosers.map((id) => ({ from: id, to: finalId(id) })),
        );
        await upsertSourceRecords(
          tx,
          resolved.map(({ record, customerId }) => ({
            source: record.source,
            externalId: record.externalId,
            customerId: finalId(customerId),
            payload: record.payload as unknown as Record<string, unknown>,
            payloadHash: record.payloadHash,
            observedAt: record.observedAt,
            updatedAt: now,
          })),
          // A record the read above did not find goes in as a plain insert; one that another batch
          // stored meanwhile violates the primary key, and the batch runs again.
          (r) => !existing.has(recordKey(r.source, r.externalId)),
        );
        await upsertIdentities(
          tx,
          resolved.flatMap(({ record, customerId }) => identitiesOf(record, finalId(customerId))),
          now,
        );

        // Customers born and merged within this batch are kept, pointing at their survivor, so unmerge can restore them.
        await upsertCustomers(
          tx,
          [...losers]
            .filter((id) => created.has(id))
            .map((id) => ({ id, mergedInto: finalId(id), ...deriveProfile([]) })),
          now,
        );
        // Survivorship re-derives every touched profile (and its consents and tags) from all of its source records.
        const touched = [...new Set(resolved.map((r) => finalId(r.customerId)))];
        // A customer born in this batch owns exactly this batch's records, unless it absorbed an existing
        // customer: only the others' records are read back.
        const absorbed = new Set(storedLosers.map(finalId));
        const held = touched.filter((id) => !created.has(id) || absorbed.has(id));
        const heldSet = new Set(held);
        const records: DerivationRecord[] = await findSourceRecordsByCustomerIds(tx, held);
        for (const { record, customerId } of resolved) {
          const root = finalId(customerId);
          if (heldSet.has(root)) continue;
          records.push({
            customerId: root,
            source: record.source,
            observedAt: record.observedAt,
            payload: record.payload as unknown as Record<string, unknown>,
          });
        }
        await rederive(
          tx,
          touched,
          { now, actor: options.actor, origin: 'SOURCE_RECORD' },
          // Roots born in this batch that absorbed no stored customer hold nothing to read back.
          { records, retired: storedLosers, fresh: new Set(touched.filter((id) => !heldSet.has(id))) },
        );

        const ledger = await insertMergeRecords(
          tx,
          merges.map((m) => ({
            survivorId: finalId(m.survivor),
            mergedId: m.loser,
            rule: m.rule,
            evidence: m.evidence,
            source: m.source,
            actor: options.actor,
            movedIdentities: ownedIdentities.get(m.loser) ?? [],
            movedSourceRecords: ownedRecords.get(m.loser) ?? [],
            createdAt: now,
          })),
        );
        await publish(tx, ledger.map(customerMerged));

        const results: CustomerIngestResult[] = [
          ...unchanged.map((u) => ({
            index: u.index,
            externalId: u.externalId,
            customerId: finalId(u.customerId),
            outcome: u.outcome,
          })),
          ...resolved.map(({ record, customerId, outcome }) => ({
            index: record.index,
            externalId: record.externalId,
            customerId: finalId(customerId),
            outcome,
          })),
        ].sort((a, b) => a.index - b.index);
        return { results, userErrors };
      }),
    3,
    (error) => violatesUnique(error, 'source_records_pkey'),
  );
}
