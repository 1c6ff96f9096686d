import { context, SpanKind, trace } from '@opentelemetry/api';
import { PgPreparedQuery } from 'drizzle-orm/pg-core';
import type { Metrics } from './metrics.ts';
import { recordError, tracerFor, tracingEnabled } from './tracing.ts';

const operations = ['select', 'insert', 'update', 'delete', 'other'] as const;
type SqlOperation = (typeof operations)[number];

function operationOf(query: string): SqlOperation {
  const head = query.slice(0, 6).toLowerCase();
  return (operations as readonly string[]).includes(head) ? (head as SqlOperation) : 'other';
}

const tracer = tracerFor('sql');

/**
 * Live figures of one database handle. postgres.js does not expose its pool, so connections in
 * use are estimated from what this process has running on it: statements outside a transaction
 * plus open transactions (each holds one connection until it ends).
 */
export class DatabaseTelemetry {
  /** Statements issued on the pool itself, not inside a transaction. */
  pooledInFlight = 0;
  /** Every statement running now, transactions included. */
  inFlight = 0;
  transactionsOpen = 0;
  /** Set by `observeDatabase`; called once per statement with its duration. */
  onStatement: ((operation: SqlOperation, seconds: number, failed: boolean) => void) | undefined;

  constructor(
    readonly poolMax: number,
    /** The driver client of the pool; statements on any other client run inside a transaction. */
    readonly pool: unknown,
  ) {}

  get connectionsInUse(): number {
    return Math.min(this.poolMax, this.pooledInFlight + this.transactionsOpen);
  }

  async statement<T>(queryString: string, client: unknown, run: () => Promise<T>): Promise<T> {
    const operation = operationOf(queryString);
    const pooled = client === this.pool;
    if (pooled) this.pooledInFlight += 1;
    this.inFlight += 1;
    // SQL spans only inside a traced unit of work: background pollers would flood the tracer otherwise.
    const span =
      tracingEnabled() && trace.getSpan(context.active())
        ? tracer.startSpan(operation.toUpperCase(), {
            kind: SpanKind.CLIENT,
            attributes: {
              'db.system.name': 'postgresql',
              'db.operation.name': operation.toUpperCase(),
              // Statement text only: parameters (which may hold PII) are never recorded.
              'db.query.text': queryString.length > 2000 ? `${queryString.slice(0, 2000)}…` : queryString,
            },
          })
        : undefined;
    const start = performance.now();
    let failed = false;
    try {
      return await run();
    } catch (error) {
      failed = true;
      if (span) recordError(span, error);
      throw error;
    } finally {
      if (pooled) this.pooledInFlight -= 1;
      this.inFlight -= 1;
      span?.end();
      this.onStatement?.(operation, (performance.now() - start) / 1000, failed);
    }
  }

  async transaction<T>(run: () => Promise<T>): Promise<T> {
    this.transactionsOpen += 1;
    try {
      if (!tracingEnabled() || !trace.getSpan(context.active())) return await run();
      return await tracer.startActiveSpan('transaction', { kind: SpanKind.INTERNAL }, async (span) => {
        try {
          return await run();
        } catch (error) {
          recordError(span, error);
          throw error;
        } finally {
          span.end();
        }
      });
    } finally {
      this.transactionsOpen -= 1;
    }
  }
}

type QueryWithCache = (
  queryString: string,
  params: unknown[],
  query: () => Promise<unknown>,
) => Promise<unknown>;
let instrumented = false;

/**
 * Times every statement Drizzle runs. `queryWithCache` is the one place both drivers (postgres.js
 * and PGlite) pass each statement through; the handle is found through its logger, which
 * `createDatabase` gives a `telemetry` field. Idempotent.
 */
export function instrumentDrizzle(): void {
  if (instrumented) return;
  instrumented = true;
  const proto = PgPreparedQuery.prototype as unknown as { queryWithCache: QueryWithCache };
  const original = proto.queryWithCache;
  proto.queryWithCache = function (
    this: { logger?: { telemetry?: DatabaseTelemetry }; client?: unknown },
    ...args
  ) {
    const telemetry = this.logger?.telemetry;
    if (!telemetry) return original.apply(this, args);
    return telemetry.statement(args[0], this.client, () => original.apply(this, args));
  };
}

/** DB pool use and statement latency of one handle, on a server's registry. */
export function observeDatabase(metrics: Metrics, telemetry: DatabaseTelemetry): void {
  const latency = metrics.histogram(
    'cx_db_query_duration_seconds',
    'SQL statement latency, pool wait included.',
    ['operation'],
  );
  const errors = metrics.counter('cx_db_query_errors_total', 'SQL statements that failed.', ['operation']);
  // Children resolved once: no label lookup per statement.
  const byOperation = {} as Record<
    SqlOperation,
    { latency: { observe(v: number): void }; errors: { inc(): void } }
  >;
  for (const op of operations) byOperation[op] = { latency: latency.labels(op), errors: errors.labels(op) };
  telemetry.onStatement = (operation, seconds, failed) => {
    const series = byOperation[operation];
    series.latency.observe(seconds);
    if (failed) series.errors.inc();
  };
  metrics.gauge('cx_db_pool_max', 'Configured connections of the pool.', [], (g) => g.set(telemetry.poolMax));
  metrics.gauge(
    'cx_db_pool_in_use',
    'Connections in use (estimate: statements on the pool plus open transactions, capped at the pool size).',
    [],
    (g) => g.set(telemetry.connectionsInUse),
  );
  metrics.gauge('cx_db_statements_in_flight', 'SQL statements running or queued for a connection.', [], (g) =>
    g.set(telemetry.inFlight),
  );
  metrics.gauge('cx_db_transactions_open', 'Transactions in progress.', [], (g) =>
    g.set(telemetry.transactionsOpen),
  );
}
