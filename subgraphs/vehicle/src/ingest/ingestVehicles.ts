import { badInput, contentHash, type Db } from '@cx/platform';
import { validateVin } from '@cx/platform/domain/vin';
import {
  endOwnerships,
  findCurrentOwnershipsByVins,
  findModelsByCodes,
  findVehiclesByVins,
  insertMileageReadings,
  insertOwnerships,
  upsertVehicles,
} from '../repositories/vehicles.ts';

export const MAX_BATCH = 1000;
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface VehicleRecordInput {
  vin: string;
  modelCode: string;
  color?: string | null;
  dealerCode?: string | null;
  ownerCustomerId?: string | null;
  purchasedAt?: Date | null;
  mileageKm?: number | null;
}

export type VehicleIngestOutcome = 'CREATED' | 'UPDATED' | 'UNCHANGED';

export interface IngestError {
  index: number;
  field: string;
  code: string;
  message: string;
}

interface ValidRecord {
  index: number;
  vin: string;
  input: VehicleRecordInput;
  hash: string;
}

/** Idempotent by VIN: one transaction, a bounded number of bulk statements per batch. */
export async function ingestVehicles(db: Db, inputs: VehicleRecordInput[], now: Date) {
  if (inputs.length > MAX_BATCH)
    throw badInput('input.records', `accepts at most ${MAX_BATCH} records per call`, 'BATCH_TOO_LARGE');
  const userErrors: IngestError[] = [];
  const fail = (index: number, field: string, code: string, message: string) =>
    userErrors.push({ index, field, code, message: `${field}: ${message}` });
  const valid: ValidRecord[] = [];
  const seen = new Set<string>();
  for (const [index, input] of inputs.entries()) {
    const before = userErrors.length;
    const vin = validateVin(input.vin);
    if (!vin.ok) fail(index, 'vin', vin.code, vin.message);
    if (input.ownerCustomerId && !uuidPattern.test(input.ownerCustomerId))
      fail(index, 'ownerCustomerId', 'INVALID_ID', 'is not a customer id');
    if (
      input.mileageKm !== null &&
      input.mileageKm !== undefined &&
      (input.mileageKm < 0 || input.mileageKm > 2_000_000)
    ) {
      fail(index, 'mileageKm', 'MILEAGE_OUT_OF_RANGE', 'must be between 0 and 2,000,000');
    }
    if (input.purchasedAt && input.purchasedAt.getTime() > now.getTime() + 86_400_000)
      fail(index, 'purchasedAt', 'DATE_IN_FUTURE', 'lies in the future');
    if (!vin.ok || userErrors.length > before) continue;
    if (seen.has(vin.vin)) {
      fail(index, 'vin', 'DUPLICATE_IN_BATCH', 'appears twice in this batch');
      continue;
    }
    seen.add(vin.vin);
    const normalized = {
      ...input,
      vin: vin.vin,
      ownerCustomerId: input.ownerCustomerId?.toLowerCase() ?? null,
    };
    valid.push({
      index,
      vin: vin.vin,
      input: normalized,
      hash: contentHash({ ...normalized, purchasedAt: input.purchasedAt?.toISOString() }),
    });
  }
  if (valid.length === 0) return { results: [], userErrors };

  return db.transaction(async (tx) => {
    const knownModels = new Set(
      (await findModelsByCodes(tx, [...new Set(valid.map((r) => r.input.modelCode))])).map((m) => m.code),
    );
    const accepted = valid.filter((r) => {
      if (knownModels.has(r.input.modelCode)) return true;
      fail(r.index, 'modelCode', 'UNKNOWN_MODEL', `'${r.input.modelCode}' is not in the model catalog`);
      return false;
    });
    const existing = new Map(
      (
        await findVehiclesByVins(
          tx,
          accepted.map((r) => r.vin),
        )
      ).map((v) => [v.vin, v]),
    );
    const changed = accepted.filter((r) => existing.get(r.vin)?.ingestHash !== r.hash);
    await upsertVehicles(
      tx,
      changed.map((r) => ({
        vin: r.vin,
        modelCode: r.input.modelCode,
        color: r.input.color ?? null,
        dealerCode: r.input.dealerCode ?? null,
        ingestHash: r.hash,
        createdAt: now,
        updatedAt: now,
      })),
    );
    // A new owner ends the previous ownership at the hand-over date.
    const current = new Map(
      (
        await findCurrentOwnershipsByVins(
          tx,
          changed.map((r) => r.vin),
        )
      ).map((o) => [o.vin, o]),
    );
    const handovers = changed.filter(
      (r) => r.input.ownerCustomerId && current.get(r.vin)?.customerId !== r.input.ownerCustomerId,
    );
    await endOwnerships(
      tx,
      handovers
        .filter((r) => current.has(r.vin))
        .map((r) => ({ vin: r.vin, endedAt: r.input.purchasedAt ?? now })),
    );
    await insertOwnerships(
      tx,
      handovers.map((r) => ({
        vin: r.vin,
        customerId: r.input.ownerCustomerId!,
        startedAt: r.input.purchasedAt ?? now,
      })),
    );
    await insertMileageReadings(
      tx,
      changed
        .filter((r) => r.input.mileageKm !== null && r.input.mileageKm !== undefined)
        .map((r) => ({ vin: r.vin, km: r.input.mileageKm!, source: 'DMS' as const, readAt: now })),
    );
    const changedVins = new Set(changed.map((r) => r.vin));
    const results = accepted.map((r) => ({
      index: r.index,
      vin: r.vin,
      outcome: (!changedVins.has(r.vin)
        ? 'UNCHANGED'
        : existing.has(r.vin)
          ? 'UPDATED'
          : 'CREATED') as VehicleIngestOutcome,
    }));
    return { results, userErrors: userErrors.sort((a, b) => a.index - b.index) };
  });
}
