import { badInput } from '@cx/platform';

/** Shared by every batch mutation of this subgraph: one call, at most this many records. */
export const MAX_BATCH = 1000;
export const MAX_MILEAGE_KM = 2_000_000;
/** Clocks of DMS servers and vehicles drift; a day of slack avoids rejecting honest records. */
export const FUTURE_SLACK_MS = 86_400_000;

/** A per-record rejection in a batch: the record's index, the field and a stable code. */
export interface IngestError {
  index: number;
  field: string;
  code: string;
  message: string;
}

/** Collects per-record errors in the shape of the IngestError GraphQL type. */
export function errorCollector() {
  const errors: IngestError[] = [];
  return {
    errors,
    fail(index: number, field: string, code: string, message: string): void {
      errors.push({ index, field, code, message: `${field}: ${message}` });
    },
    sorted(): IngestError[] {
      return errors.sort((a, b) => a.index - b.index);
    },
  };
}

export function assertBatchSize(records: readonly unknown[], field: string): void {
  if (records.length > MAX_BATCH)
    throw badInput(field, `accepts at most ${MAX_BATCH} records per call`, 'BATCH_TOO_LARGE');
}

export function mileageOutOfRange(km: number | null | undefined): boolean {
  return km !== null && km !== undefined && (km < 0 || km > MAX_MILEAGE_KM);
}

export function inFuture(at: Date, now: Date): boolean {
  return at.getTime() > now.getTime() + FUTURE_SLACK_MS;
}
