import { type GraphQLClient, GraphQLRequestError, TransportError } from '@cx/web';
import { FileFormatError } from './csv.ts';
import { customers } from './customers.ts';
import type { EntityName, EntitySpec, IngestPayload, ParseContext } from './entity.ts';
import { type FieldIssue, RowReader } from './fields.ts';
import { repairOrders } from './repairOrders.ts';
import { type EntitySummary, formatOutcomes, type PushReport, type Rejection } from './report.ts';
import { columnKey, type ExportFile, readExport, type SourceRow } from './rows.ts';
import { vehicles } from './vehicles.ts';

export const DEFAULT_BATCH_SIZE = 500;
/** The ingest mutations accept at most this many records per call. */
export const MAX_BATCH_SIZE = 1000;

/** Customers first: vehicles and repair orders name their customer by its DMS externalId. */
const order = [customers, vehicles, repairOrders] as unknown as EntitySpec<unknown>[];

export interface PushOptions {
  client: GraphQLClient;
  /** Where the client sends requests, for the report. */
  gateway: string;
  files: Partial<Record<EntityName, string>>;
  batchSize?: number;
  context?: ParseContext;
  onProgress?: (line: string) => void;
  now?: () => Date;
}

interface Run {
  options: PushOptions;
  batchSize: number;
  report: PushReport;
  /** DMS externalId to customer id, from this run's customersIngest results. */
  customerIds: Map<string, string>;
  progress: (line: string) => void;
}

/** Stops the run: retrying or continuing cannot help (transient failures outlasted the retries, or auth). */
function isFatal(error: unknown): boolean {
  if (error instanceof TransportError) return true;
  return (
    error instanceof GraphQLRequestError &&
    (error.status === 401 || error.status === 403 || error.code === 'UNAUTHENTICATED')
  );
}

function identify(row: SourceRow): { externalId?: string; vin?: string } {
  const text = (key: string) => {
    const v = row.values.get(columnKey(key));
    return typeof v === 'string' && v.trim() ? v.trim() : undefined;
  };
  return { externalId: text('externalId'), vin: text('vin')?.toUpperCase() };
}

/** An oversized request is halved until it fits; results keep their indexes into `inputs`. */
async function sendSplitting<I>(
  spec: EntitySpec<I>,
  client: GraphQLClient,
  inputs: I[],
): Promise<IngestPayload> {
  try {
    return await spec.send(client, inputs);
  } catch (error) {
    if (!(error instanceof GraphQLRequestError) || error.code !== 'PAYLOAD_TOO_LARGE' || inputs.length < 2)
      throw error;
    const half = Math.ceil(inputs.length / 2);
    const first = await sendSplitting(spec, client, inputs.slice(0, half));
    const second = await sendSplitting(spec, client, inputs.slice(half));
    const shift = <T extends { index: number }>(items: T[]) =>
      items.map((x) => ({ ...x, index: x.index + half }));
    return {
      results: [...first.results, ...shift(second.results)],
      userErrors: [...first.userErrors, ...shift(second.userErrors)],
    };
  }
}

function checkColumns(spec: EntitySpec<unknown>, file: string, exported: ExportFile): void {
  if (!exported.columns || exported.rows.length === 0) return;
  const missing = spec.requiredColumns.filter((c) => !exported.columns!.includes(columnKey(c)));
  if (missing.length > 0) throw new FileFormatError(`${file}: missing column(s) ${missing.join(', ')}`);
}

async function pushEntity<I>(run: Run, spec: EntitySpec<I>, file: string, exported: ExportFile) {
  const summary: EntitySummary = {
    file,
    rows: exported.rows.length,
    accepted: 0,
    rejected: 0,
    batches: 0,
    outcomes: {},
  };
  run.report.entities[spec.name] = summary;
  const rejectedRows = new Set<number>();
  const reject = (row: SourceRow, issue: FieldIssue) => {
    const entry: Rejection = {
      entity: spec.name,
      file,
      row: row.row,
      line: row.line,
      ...identify(row),
      ...issue,
    };
    run.report.rejected.push(entry);
    rejectedRows.add(row.row);
  };

  const pending: { row: SourceRow; input: I }[] = [];
  const firstRowOf = new Map<string, number>();
  for (const row of exported.rows) {
    if (row.unreadable) {
      reject(row, { field: 'row', code: row.unreadable.code, message: `row: ${row.unreadable.message}` });
      continue;
    }
    const reader = new RowReader(row.values);
    const record = spec.parse(reader, run.options.context ?? {});
    if (!record) {
      for (const issue of reader.issues) reject(row, issue);
      continue;
    }
    const { field, value } = record.key;
    const first = firstRowOf.get(value);
    if (first !== undefined) {
      reject(row, {
        field,
        code: 'DUPLICATE_IN_FILE',
        message: `${field}: repeats row ${first} of this file`,
      });
      continue;
    }
    firstRowOf.set(value, row.row);
    let input = record.input;
    if (record.customerRef) {
      const { field: refField, externalId } = record.customerRef;
      const customerId = run.customerIds.get(externalId);
      if (!customerId) {
        reject(row, {
          field: refField,
          code: 'CUSTOMER_UNKNOWN',
          message: `${refField}: '${externalId}' is not a customer accepted in this run`,
        });
        continue;
      }
      input = spec.withCustomer(input, customerId);
    }
    pending.push({ row, input });
  }

  const batches = Math.ceil(pending.length / run.batchSize);
  run.progress(
    `${spec.name}: ${summary.rows} rows in ${file}, ${rejectedRows.size} refused before sending, ` +
      `${pending.length} to send in ${batches} batch(es)`,
  );
  for (let b = 0; b < batches; b += 1) {
    const batch = pending.slice(b * run.batchSize, (b + 1) * run.batchSize);
    const started = performance.now();
    const rejectedBefore = rejectedRows.size;
    const acceptedBefore = summary.accepted;
    const outcomes: Record<string, number> = {};
    try {
      const payload = await sendSplitting(
        spec,
        run.options.client,
        batch.map((p) => p.input),
      );
      for (const e of payload.userErrors) reject(batch[e.index]!.row, e);
      for (const r of payload.results) {
        outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
        summary.outcomes[r.outcome] = (summary.outcomes[r.outcome] ?? 0) + 1;
        summary.accepted += 1;
        // Only customersIngest selects `customer`: these ids resolve later files' references.
        if (r.customer && r.externalId) run.customerIds.set(r.externalId, r.customer.id);
      }
    } catch (error) {
      if (isFatal(error) || !(error instanceof GraphQLRequestError)) throw error;
      // The gateway refused the whole batch; ingest is atomic per batch, so none of it was applied.
      const issue = {
        field: error.field ?? 'input',
        code: error.reason ?? error.code ?? 'REQUEST_FAILED',
        message: error.message,
      };
      for (const p of batch) reject(p.row, issue);
    }
    summary.batches += 1;
    run.progress(
      `${spec.name}: batch ${b + 1}/${batches} (rows ${batch[0]!.row.row}-${batch.at(-1)!.row.row}): ` +
        `${summary.accepted - acceptedBefore} accepted (${formatOutcomes(outcomes)}), ` +
        `${rejectedRows.size - rejectedBefore} rejected ` +
        `[${Math.round(performance.now() - started)} ms]`,
    );
  }
  summary.rejected = rejectedRows.size;
  run.progress(
    `${spec.name}: done: ${summary.accepted} accepted (${formatOutcomes(summary.outcomes)}), ${summary.rejected} rejected`,
  );
}

/**
 * Pushes the export files through the ingest mutations, customers first, and reports every
 * rejected row. Files are read and checked before anything is sent. A transport failure that
 * outlasts the client's retries stops the run with `aborted` set; rerunning is safe.
 */
export async function pushExports(options: PushOptions): Promise<PushReport> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH_SIZE)
    throw new RangeError(`batch size must be a whole number from 1 to ${MAX_BATCH_SIZE}, got ${batchSize}`);
  const now = options.now ?? (() => new Date());
  const report: PushReport = {
    gateway: options.gateway,
    startedAt: now().toISOString(),
    finishedAt: '',
    batchSize,
    entities: {},
    rejected: [],
  };
  const files: { spec: EntitySpec<unknown>; file: string; exported: ExportFile }[] = [];
  for (const spec of order) {
    const file = options.files[spec.name];
    if (!file) continue;
    const exported = await readExport(file);
    checkColumns(spec, file, exported);
    files.push({ spec, file, exported });
  }
  const run: Run = {
    options,
    batchSize,
    report,
    customerIds: new Map(),
    progress: options.onProgress ?? (() => {}),
  };
  try {
    for (const { spec, file, exported } of files) await pushEntity(run, spec, file, exported);
  } catch (error) {
    if (!isFatal(error)) throw error;
    report.aborted = (error as Error).message;
    run.progress(`aborted: ${report.aborted}`);
  }
  const rank = (e: EntityName) => order.findIndex((s) => s.name === e);
  report.rejected.sort((a, b) => rank(a.entity) - rank(b.entity) || a.row - b.row);
  report.finishedAt = now().toISOString();
  return report;
}
