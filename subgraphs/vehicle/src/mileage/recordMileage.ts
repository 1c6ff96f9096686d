import type { Db } from '@cx/platform';
import { validateVin } from '@cx/platform/domain/vin';
import { assertBatchSize, errorCollector, inFuture, mileageOutOfRange } from '../records.ts';
import {
  findNeighbours,
  findReadingsByKeys,
  insertMileageReadings,
  type MileageSource,
} from '../repositories/mileage.ts';
import { findVehiclesByVins } from '../repositories/vehicles.ts';

export interface MileageReadingInput {
  vin: string;
  km: number;
  source: MileageSource;
  readAt: Date;
}

export type MileageRecordOutcome = 'RECORDED' | 'UNCHANGED';

interface Candidate {
  index: number;
  reading: MileageReadingInput;
}

const keyOf = (r: { vin: string; source: string; readAt: Date }) =>
  `${r.vin}|${r.source}|${r.readAt.toISOString()}`;
const km = (n: number) => `${n.toLocaleString('en-US')} km`;

/**
 * Records odometer readings from service visits and telematics. The mutation calls it, and so will
 * the consumer of the service subgraph's visit events. Idempotent by (vin, source, readAt); a
 * reading that would make the odometer run backwards is rejected, never stored.
 */
export async function recordMileage(db: Db, inputs: MileageReadingInput[], now: Date) {
  assertBatchSize(inputs, 'input.readings');
  const { errors, fail, sorted } = errorCollector();
  const valid: Candidate[] = [];
  const seen = new Set<string>();
  for (const [index, input] of inputs.entries()) {
    const before = errors.length;
    const vin = validateVin(input.vin);
    if (!vin.ok) fail(index, 'vin', vin.code, vin.message);
    if (mileageOutOfRange(input.km))
      fail(index, 'km', 'MILEAGE_OUT_OF_RANGE', 'must be between 0 and 2,000,000');
    if (inFuture(input.readAt, now)) fail(index, 'readAt', 'DATE_IN_FUTURE', 'lies in the future');
    if (!vin.ok || errors.length > before) continue;
    const reading = { ...input, vin: vin.vin };
    if (seen.has(keyOf(reading))) {
      fail(index, 'readAt', 'DUPLICATE_IN_BATCH', 'the same vehicle, source and instant appear twice');
      continue;
    }
    seen.add(keyOf(reading));
    valid.push({ index, reading });
  }
  if (valid.length === 0) return { results: [], userErrors: sorted() };

  return db.transaction(async (tx) => {
    const vins = [...new Set(valid.map((c) => c.reading.vin))];
    const known = new Set((await findVehiclesByVins(tx, vins)).map((v) => v.vin));
    const forKnown = valid.filter((c) => {
      if (known.has(c.reading.vin)) return true;
      fail(c.index, 'vin', 'VEHICLE_NOT_FOUND', 'no vehicle has this VIN; ingest the vehicle first');
      return false;
    });
    const stored = new Map(
      (
        await findReadingsByKeys(
          tx,
          forKnown.map((c) => c.reading),
        )
      ).map((r) => [keyOf(r), r.km]),
    );
    const fresh = forKnown.filter((c) => {
      const prior = stored.get(keyOf(c.reading));
      if (prior === undefined || prior === c.reading.km) return true;
      fail(c.index, 'km', 'MILEAGE_CONFLICT', `${km(prior)} is already recorded for this source and instant`);
      return false;
    });
    const accepted = checkMonotonic(
      fresh,
      await findNeighbours(
        tx,
        fresh.map((c) => c.reading),
      ),
      fail,
    );
    const toInsert = accepted.filter((c) => !stored.has(keyOf(c.reading)));
    await insertMileageReadings(
      tx,
      toInsert.map((c) => c.reading),
    );
    const inserted = new Set(toInsert.map((c) => c.index));
    const results = accepted
      .sort((a, b) => a.index - b.index)
      .map((c) => ({
        index: c.index,
        vin: c.reading.vin,
        reading: c.reading,
        outcome: (inserted.has(c.index) ? 'RECORDED' : 'UNCHANGED') as MileageRecordOutcome,
      }));
    return { results, userErrors: sorted() };
  });
}

/**
 * An odometer only goes up: each reading must lie between the stored readings around it and
 * above the accepted readings of the same vehicle earlier in time within this batch.
 */
function checkMonotonic(
  candidates: Candidate[],
  neighbours: { beforeKm: number | null; afterKm: number | null }[],
  fail: (index: number, field: string, code: string, message: string) => void,
): Candidate[] {
  const byTime = candidates
    .map((c, i) => ({ c, n: neighbours[i]! }))
    .sort((a, b) => a.c.reading.readAt.getTime() - b.c.reading.readAt.getTime());
  const highest = new Map<string, number>();
  const accepted: Candidate[] = [];
  for (const { c, n } of byTime) {
    const { vin, km: value } = c.reading;
    const floor = Math.max(n.beforeKm ?? 0, highest.get(vin) ?? 0);
    if (value < floor) {
      fail(c.index, 'km', 'MILEAGE_DECREASED', `is below ${km(floor)} read earlier`);
    } else if (n.afterKm !== null && value > n.afterKm) {
      fail(c.index, 'km', 'MILEAGE_DECREASED', `is above ${km(n.afterKm)} read later`);
    } else {
      highest.set(vin, value);
      accepted.push(c);
    }
  }
  return accepted;
}
