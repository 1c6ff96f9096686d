import { writeFile } from 'node:fs/promises';
import type { EntityName } from './entity.ts';

/** One reason a row was not applied; a row with several problems has several entries. */
export interface Rejection {
  entity: EntityName;
  file: string;
  /** The record's position in its file, from 1, header not counted. */
  row: number;
  /** CSV only: the line the record starts on (the header is line 1). */
  line?: number;
  externalId?: string;
  vin?: string;
  field: string;
  code: string;
  message: string;
}

export interface EntitySummary {
  file: string;
  rows: number;
  /** Rows applied by the gateway (any outcome). */
  accepted: number;
  /** Rows with at least one rejection. */
  rejected: number;
  batches: number;
  /** CREATED, UPDATED, MATCHED, MERGED, UNCHANGED: how many of each. */
  outcomes: Record<string, number>;
}

export interface PushReport {
  gateway: string;
  startedAt: string;
  finishedAt: string;
  batchSize: number;
  entities: Partial<Record<EntityName, EntitySummary>>;
  rejected: Rejection[];
  /** Why the run stopped early (retries exhausted, authentication); rerunning is safe. */
  aborted?: string;
}

export async function writeReport(file: string, report: PushReport): Promise<void> {
  await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
}

export const formatOutcomes = (outcomes: Record<string, number>) =>
  Object.entries(outcomes)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ') || 'none';
