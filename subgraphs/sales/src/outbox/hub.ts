import type { Db } from '@cx/platform';

/**
 * Connects, inside one process, the writers of outbox rows, the relay and the stream readers of
 * one database. Readers never receive events from here, only "positions moved" signals; they
 * re-read the table, so a missed or duplicated signal can delay an event but never lose or repeat it.
 */
export class OutboxHub {
  /** Highest committed position known to this process (from the local relay or a NOTIFY). */
  private known = 0;
  private readonly waiters = new Set<() => void>();
  private relayKick: (() => void) | null = null;

  get latest(): number {
    return this.known;
  }

  /** Called after a commit that wrote outbox rows: the relay positions them now, not at the next poll. */
  written(): void {
    this.relayKick?.();
  }

  attachRelay(kick: (() => void) | null): void {
    this.relayKick = kick;
  }

  /** Positions up to `latest` are committed: wake readers waiting for anything beyond what they knew. */
  advance(latest: number): void {
    if (!Number.isFinite(latest) || latest <= this.known) return;
    this.known = latest;
    const woken = [...this.waiters];
    this.waiters.clear();
    for (const wake of woken) wake();
  }

  /** Resolves once `latest` exceeds `seen`, or when `signal` aborts. */
  waitBeyond(seen: number, signal: AbortSignal): Promise<void> {
    if (this.known > seen || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.waiters.delete(done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      this.waiters.add(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }
}

// Keyed by the Db handle so request contexts (which only get `db`) and onStart share one hub.
const hubs = new WeakMap<Db, OutboxHub>();

export function outboxHubFor(db: Db): OutboxHub {
  let hub = hubs.get(db);
  if (!hub) {
    hub = new OutboxHub();
    hubs.set(db, hub);
  }
  return hub;
}
