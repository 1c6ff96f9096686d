import { Pool } from 'undici';
import { type LatencySummary, summarize } from './stats.ts';

export interface LoopOptions {
  concurrency: number;
  warmupSeconds: number;
  durationSeconds: number;
  /** Called right before and right after the measured window (e.g. CPU samples of a server). */
  onWindow?: (edge: 'start' | 'end') => Promise<void>;
  /** Receives the window's raw latencies too, so several windows can be summarized together. */
  collect?: number[];
}

export interface LoadResult extends LatencySummary {
  /** Operations that completed inside the measured window (latency counts from their start). */
  requests: number;
  /** Failed operations inside the window (non-200, GraphQL errors, exceptions). */
  errors: number;
  seconds: number;
  throughput: number;
  firstError?: string;
}

/** One operation of a load loop; resolves to a failure description, or undefined on success. */
export type LoadTask = (sequence: number) => Promise<string | undefined>;

const sleep = (seconds: number) => new Promise((resolve) => setTimeout(resolve, seconds * 1000));

/**
 * Closed-loop load: `concurrency` workers, each starting its next operation as soon as the
 * previous one finished. A warm-up phase fills JIT, plan caches and connection pools; only
 * operations that both start and finish inside the measured window count.
 */
export async function runClosedLoop(options: LoopOptions, task: LoadTask): Promise<LoadResult> {
  let sequence = 0;
  let phase: 'warmup' | 'measure' | 'stop' = 'warmup';
  let windowStart = Number.POSITIVE_INFINITY;
  let windowEnd = Number.POSITIVE_INFINITY;
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;

  const worker = async () => {
    while (phase !== 'stop') {
      const started = performance.now();
      let failure: string | undefined;
      try {
        failure = await task(sequence++);
      } catch (error) {
        failure = (error as Error).message;
      }
      const ended = performance.now();
      if (failure) firstError ??= failure;
      if (ended >= windowStart && ended <= windowEnd) {
        latencies.push(ended - started);
        if (failure) errors += 1;
      }
    }
  };

  const workers = Array.from({ length: options.concurrency }, worker);
  await sleep(options.warmupSeconds);
  await options.onWindow?.('start');
  windowStart = performance.now();
  phase = 'measure';
  await sleep(options.durationSeconds);
  windowEnd = performance.now();
  await options.onWindow?.('end');
  phase = 'stop';
  await Promise.all(workers);
  options.collect?.push(...latencies);
  const seconds = (windowEnd - windowStart) / 1000;
  return {
    ...summarize(latencies),
    requests: latencies.length,
    errors,
    seconds,
    throughput: latencies.length / seconds,
    firstError,
  };
}

export interface HttpLoadOptions extends LoopOptions {
  /** Full URL of the GraphQL endpoint. */
  url: string;
  /** Pre-serialized bodies, sent round-robin so no JSON encoding lands in the measured loop. */
  bodies: readonly string[];
  headers: Record<string, string>;
}

/** GraphQL POSTs over one keep-alive undici Pool with a socket per worker. */
export async function runHttpLoad(options: HttpLoadOptions): Promise<LoadResult> {
  const target = new URL(options.url);
  const pool = new Pool(target.origin, {
    connections: options.concurrency,
    pipelining: 1,
    keepAliveTimeout: 60_000,
  });
  const headers = { 'content-type': 'application/json', ...options.headers };
  try {
    return await runClosedLoop(options, async (sequence) => {
      const body = options.bodies[sequence % options.bodies.length]!;
      const res = await pool.request({ path: target.pathname, method: 'POST', headers, body });
      const text = await res.body.text();
      if (res.statusCode !== 200) return `HTTP ${res.statusCode}: ${text.slice(0, 200)}`;
      // A substring test keeps JSON parsing out of the load generator's CPU budget.
      return text.includes('"errors"') ? text.slice(0, 300) : undefined;
    });
  } finally {
    await pool.close();
  }
}
