import { Counter, collectDefaultMetrics, Gauge, Histogram, type Metric, Registry } from 'prom-client';

/** Seconds; from sub-millisecond SQL up to a slow 360 query under load. */
export const latencyBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * One Prometheus registry per server: in the single-process stack the gateway and five subgraphs
 * share a process, and each must expose its own figures on its own /metrics. Getters are
 * idempotent by name, so modules (and replicas of the same code) can ask for a metric freely.
 */
export class Metrics {
  readonly registry = new Registry();

  counter<L extends string = never>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
    return (
      this.existing(name, Counter) ?? new Counter<L>({ name, help, labelNames, registers: [this.registry] })
    );
  }

  gauge<L extends string = never>(
    name: string,
    help: string,
    labelNames: readonly L[] = [],
    /** Runs at scrape time, e.g. to read a live figure or query the outbox. */
    collect?: (gauge: Gauge<L>) => void | Promise<void>,
  ): Gauge<L> {
    return (
      this.existing(name, Gauge) ??
      new Gauge<L>({
        name,
        help,
        labelNames,
        registers: [this.registry],
        ...(collect
          ? {
              collect() {
                return collect(this);
              },
            }
          : {}),
      })
    );
  }

  histogram<L extends string = never>(
    name: string,
    help: string,
    labelNames: readonly L[] = [],
    buckets: number[] = latencyBuckets,
  ): Histogram<L> {
    return (
      this.existing(name, Histogram) ??
      new Histogram<L>({ name, help, labelNames, buckets, registers: [this.registry] })
    );
  }

  /** Node.js process metrics (CPU, memory, event loop lag, GC): once per process, on one registry. */
  collectProcessMetrics(): void {
    collectDefaultMetrics({ register: this.registry });
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  private existing<T extends Metric>(
    name: string,
    type: abstract new (...args: never[]) => T,
  ): T | undefined {
    const found = this.registry.getSingleMetric(name);
    if (!found) return undefined;
    if (!(found instanceof type)) throw new Error(`metric ${name} is already registered with another type`);
    return found;
  }
}

export type { Counter, Gauge, Histogram };

/** The series of one label value: its latency and its ok / error counts. */
export interface OutcomeSeries {
  duration: { observe(seconds: number): void };
  ok: { inc(): void };
  error: { inc(): void };
}

/**
 * A latency histogram and an ok/error counter keyed by one label (operation, subgraph). The
 * children are resolved once per label value and cached, so recording costs no label lookup;
 * callers keep the label values bounded.
 */
export function outcomeSeries<L extends string>(
  metrics: Metrics,
  label: L,
  counter: { name: string; help: string },
  histogram: { name: string; help: string },
): (value: string) => OutcomeSeries {
  const counts = metrics.counter(counter.name, counter.help, [label, 'outcome']);
  const latency = metrics.histogram(histogram.name, histogram.help, [label]);
  const cache = new Map<string, OutcomeSeries>();
  return (value) => {
    let found = cache.get(value);
    if (!found) {
      found = {
        duration: latency.labels(value),
        ok: counts.labels(value, 'ok'),
        error: counts.labels(value, 'error'),
      };
      cache.set(value, found);
    }
    return found;
  };
}

/**
 * Operation names are chosen by clients, so a label per name is capped: the first `max` distinct
 * valid names get their own series, later ones share `other`. Anonymous operations are `anonymous`.
 */
export class OperationLabels {
  private readonly seen = new Set<string>();
  constructor(private readonly max = 300) {}

  label(operationName: string | null | undefined): string {
    if (!operationName) return 'anonymous';
    if (this.seen.has(operationName)) return operationName;
    if (this.seen.size >= this.max || !/^[_A-Za-z][_0-9A-Za-z]{0,127}$/.test(operationName)) return 'other';
    this.seen.add(operationName);
    return operationName;
  }
}
