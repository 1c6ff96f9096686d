/** How often and how patiently a client repeats a request that failed transiently. */
export interface RetryPolicy {
  /** Retries after the first attempt; 0 disables retrying. */
  retries: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const noRetry: RetryPolicy = { retries: 0, baseDelayMs: 0, maxDelayMs: 0 };

/** A server's Retry-After beyond this is treated as this: a stuck header must not park a run for hours. */
const MAX_RETRY_AFTER_MS = 5 * 60_000;

/**
 * Exponential backoff with equal jitter: half the step is fixed, the other half random, so
 * clients that failed together do not retry together. `retry` counts from 1.
 */
export function backoffDelay(policy: RetryPolicy, retry: number, random: () => number = Math.random): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.round(step / 2 + (random() * step) / 2);
}

/** Retry-After as delta-seconds or an HTTP date (RFC 9110 10.2.3); undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  const ms = /^\d+$/.test(trimmed) ? Number(trimmed) * 1000 : Date.parse(trimmed) - now;
  if (Number.isNaN(ms)) return undefined;
  return Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
