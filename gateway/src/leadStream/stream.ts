import type { ExecutionResult } from 'graphql';
import { type CursorCounters, SubscriberCursor } from './cursor.ts';
import { LeadFeed } from './feed.ts';
import type { StreamPlan } from './operation.ts';
import { EventResults, type ExecuteEventQuery, forwardErrors, type SharedResult } from './results.ts';
import { effectiveDealerCode, type StreamScope } from './scope.ts';
import type { SubgraphCursorSource } from './upstream.ts';
import type { DirectNext } from './wsTransport.ts';

export interface LeadStreamTuning {
  /** Positions each shared feed remembers; a subscriber lagging further behind catches up on its own. */
  feedCapacity?: number;
  /** Positions a catch-up subscription buffers before it pauses. */
  catchUpBuffer?: number;
  /** Shared per-event results kept. */
  resultCacheSize?: number;
  /** Events whose results a subscriber requests ahead of delivering them. */
  prefetch?: number;
}

export interface LeadStreamStats {
  /** Client subscriptions open now. */
  readonly subscribers: number;
  /** Shared feeds open now (one per dealer filter in use). */
  readonly feeds: number;
  /** Subscriptions to the sales subgraph open now: one per feed plus one per catch-up in progress. */
  readonly upstreamSubscriptions: number;
  /** Subscriptions to the sales subgraph opened since start, resubscriptions after a lost connection included. */
  readonly upstreamOpened: number;
  /** Catch-up subscriptions started since start. */
  readonly catchUps: number;
  /** Per-event queries run through the gateway's query planning since start. */
  readonly eventQueries: number;
  /** Per-event results served from the shared cache since start. */
  readonly eventQueryCacheHits: number;
  /** Per-event results requested as the position reached a shared feed (one per result group), since start. */
  readonly eventResultsStartedOnArrival: number;
}

const DONE: IteratorResult<ExecutionResult> = { done: true, value: undefined };

interface Pull {
  resolve(result: IteratorResult<ExecutionResult>): void;
  reject(error: unknown): void;
}

/**
 * One client subscription: pull a position, resolve the client's selection for it, hand it over.
 * Driven by callbacks rather than async functions: graphql-ws's pull is one promise, settled
 * straight from the cursor's wake-up or, when the position's shared result is still running, from
 * that result's single pass over its waiters. A delivery then costs no promise hops of its own.
 */
class SubscriberStream implements AsyncIterableIterator<ExecutionResult> {
  private ended = false;
  /** Highest position already requested ahead, so each one is prefetched once, not on every pull. */
  private prefetched = 0;
  /** graphql-ws's pending next(), if any. */
  private pull: Pull | null = null;
  /** The result the pending next() waits for, if its position is taken but its query still runs. */
  private awaited: SharedResult | null = null;
  private readonly wake = (): void => this.advance();
  private readonly settled = (): void => {
    const result = this.awaited;
    this.awaited = null;
    if (result && this.deliver(result)) this.advance();
  };
  private readonly written = (): void => {
    this.awaited = null;
    this.advance();
  };

  constructor(
    private readonly cursor: SubscriberCursor,
    private readonly resolve: (position: number) => SharedResult,
    private readonly prefetch: number,
    private readonly onEnd: (stream: SubscriberStream) => void,
    /** Writes a result to the client past graphql-ws; null where graphql-ws sends everything. */
    private readonly direct: DirectNext | null,
  ) {}

  next(): Promise<IteratorResult<ExecutionResult>> {
    if (this.ended) return Promise.resolve(DONE);
    // graphql-ws pulls one at a time (for await); a second pull would race the first for a position.
    if (this.pull) return Promise.reject(new Error('next() called while another next() is pending'));
    return new Promise((resolve, reject) => {
      this.pull = { resolve, reject };
      this.advance();
    });
  }

  return(): Promise<IteratorResult<ExecutionResult>> {
    return Promise.resolve(this.end());
  }

  throw(error: unknown): Promise<IteratorResult<ExecutionResult>> {
    this.end();
    return Promise.reject(error);
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<ExecutionResult> {
    return this;
  }

  /** Idempotent: settles a pending pull as done (graphql-ws calls return() while next() is parked) and releases upstreams. */
  end(): IteratorResult<ExecutionResult> {
    if (!this.ended) {
      this.ended = true;
      this.awaited = null;
      const pull = this.pull;
      this.pull = null;
      pull?.resolve(DONE);
      this.cursor.close();
      this.onEnd(this);
    }
    return DONE;
  }

  /**
   * Serves the pending pull: takes positions while the cursor has them and, where the result is
   * settled, delivers it. With a direct writer each result is written to the socket here and the
   * pull stays pending for the next position: graphql-ws only settles it for errors and the end.
   */
  private advance(): void {
    while (this.pull && !this.awaited) {
      const pulled = this.cursor.poll();
      if (pulled === undefined) {
        this.cursor.wait(this.wake);
        return;
      }
      if (pulled === null) {
        this.end();
        return;
      }
      if ('errors' in pulled) {
        const pull = this.pull;
        this.pull = null;
        this.end();
        pull.resolve({ done: false, value: { errors: forwardErrors(pulled.errors) } });
        return;
      }
      for (let offset = 0; offset < this.prefetch; offset += 1) {
        const position = this.cursor.ahead(offset);
        if (position === undefined) break;
        if (position <= this.prefetched) continue;
        this.prefetched = position;
        // Only warms the shared cache; a failure shows when the position is actually delivered.
        this.resolve(position);
      }
      const result = this.resolve(pulled.position);
      if (result.state === 'pending') {
        this.awaited = result;
        result.whenSettled(this.settled);
        return;
      }
      if (!this.deliver(result)) return;
    }
  }

  /** Delivers a settled result; true when the pull is still pending and free for the next position. */
  private deliver(result: SharedResult): boolean {
    const pull = this.pull;
    if (!pull) return false;
    if (result.state === 'done' && this.direct) {
      const written = this.direct(result.value!);
      if (written === undefined) return true;
      if (written !== null) {
        // The socket is behind: the next position waits until this frame is written.
        this.awaited = result;
        written.then(this.written, (error: unknown) => {
          this.awaited = null;
          this.fail(error);
        });
        return false;
      }
    }
    this.pull = null;
    if (result.state === 'done') pull.resolve({ done: false, value: result.value! });
    else pull.reject(result.error);
    return false;
  }

  private fail(error: unknown): void {
    const pull = this.pull;
    this.pull = null;
    pull?.reject(error);
  }
}

/** Subscribers of one feed that share results: same scope, same selection and variables. */
interface ResultGroup {
  resolve: (position: number) => SharedResult;
  subscribers: number;
}

/** The gateway's side of `leadAssigned`: shared feeds per dealer filter, per-subscriber cursors, shared results. */
export class LeadStream {
  private readonly feeds = new Map<string, LeadFeed>();
  /** Per feed, its subscribers' result groups: a new position starts one query per group at once. */
  private readonly groups = new Map<LeadFeed, Map<string, ResultGroup>>();
  private readonly streams = new Set<SubscriberStream>();
  private readonly results: EventResults;
  private readonly cursorCounters: CursorCounters = { catchUps: 0 };
  private readonly counters = { startedOnArrival: 0 };
  private readonly feedCapacity: number;
  private readonly catchUpBuffer: number;
  private readonly prefetch: number;
  readonly stats: LeadStreamStats;

  constructor(
    private readonly source: SubgraphCursorSource,
    execute: ExecuteEventQuery,
    tuning: LeadStreamTuning = {},
  ) {
    this.feedCapacity = tuning.feedCapacity ?? 10_000;
    this.catchUpBuffer = tuning.catchUpBuffer ?? 200;
    this.prefetch = tuning.prefetch ?? 4;
    this.results = new EventResults(execute, tuning.resultCacheSize ?? 1_000);
    const self = this;
    this.stats = {
      get subscribers() {
        return self.streams.size;
      },
      get feeds() {
        return self.feeds.size;
      },
      get upstreamSubscriptions() {
        return self.source.counters.active;
      },
      get upstreamOpened() {
        return self.source.counters.opened;
      },
      get catchUps() {
        return self.cursorCounters.catchUps;
      },
      get eventQueries() {
        return self.results.counters.executions;
      },
      get eventQueryCacheHits() {
        return self.results.counters.cacheHits;
      },
      get eventResultsStartedOnArrival() {
        return self.counters.startedOnArrival;
      },
    };
  }

  /** `direct` writes events to the client past graphql-ws (see SubscriberStream); errors and the end still go through it. */
  subscribe(
    plan: StreamPlan,
    scope: StreamScope,
    direct: DirectNext | null = null,
  ): AsyncIterableIterator<ExecutionResult> {
    const dealerCode = effectiveDealerCode(scope, plan.dealerCode);
    const feed = this.feedFor(dealerCode);
    const leaveGroup = this.joinGroup(feed, plan, scope);
    const cursor = new SubscriberCursor(
      feed,
      this.source.open,
      plan.after,
      this.catchUpBuffer,
      this.cursorCounters,
    );
    const stream = new SubscriberStream(
      cursor,
      this.results.resolver(plan, scope),
      this.prefetch,
      (s) => {
        this.streams.delete(s);
        leaveGroup();
      },
      direct,
    );
    this.streams.add(stream);
    return stream;
  }

  /** Ends every subscription (their clients are being disconnected) and every upstream. */
  async close(): Promise<void> {
    for (const stream of [...this.streams]) stream.end();
    await this.source.close();
  }

  private feedFor(dealerCode: string | null): LeadFeed {
    const key = dealerCode ?? '';
    const existing = this.feeds.get(key);
    if (existing && !existing.failure) return existing;
    const feed = new LeadFeed(
      dealerCode,
      this.feedCapacity,
      this.source.open,
      (empty) => {
        if (this.feeds.get(key) === empty) this.feeds.delete(key);
      },
      (appended, position) => this.startResults(appended, position),
    );
    this.feeds.set(key, feed);
    return feed;
  }

  /** Counts a subscriber into its feed's result group; returns how to count it out. */
  private joinGroup(feed: LeadFeed, plan: StreamPlan, scope: StreamScope): () => void {
    let groups = this.groups.get(feed);
    if (!groups) {
      groups = new Map();
      this.groups.set(feed, groups);
    }
    const key = `${scope.key}\0${plan.key}`;
    const group = groups.get(key) ?? { resolve: this.results.resolver(plan, scope), subscribers: 0 };
    group.subscribers += 1;
    groups.set(key, group);
    return () => {
      group.subscribers -= 1;
      if (group.subscribers > 0 || groups.get(key) !== group) return;
      groups.delete(key);
      if (groups.size === 0 && this.groups.get(feed) === groups) this.groups.delete(feed);
    };
  }

  /**
   * A position reached a feed: start its query for every group now, once per group, rather than
   * when a subscriber pulls it. A subscriber pulls the next position only after it has its
   * current one, so queries started on pull would run one after another, each adding its whole
   * duration to the latency of every event queued behind it.
   */
  private startResults(feed: LeadFeed, position: number): void {
    for (const group of this.groups.get(feed)?.values() ?? []) {
      this.counters.startedOnArrival += 1;
      // Only warms the shared cache; a failure shows (and is retried) when a subscriber pulls it.
      group.resolve(position);
    }
  }
}
