import type { ExecutionResult } from 'graphql';
import { type CursorCounters, SubscriberCursor } from './cursor.ts';
import { LeadFeed } from './feed.ts';
import type { StreamPlan } from './operation.ts';
import { EventResults, type ExecuteEventQuery, forwardErrors } from './results.ts';
import { effectiveDealerCode, type StreamScope } from './scope.ts';
import type { SubgraphCursorSource } from './upstream.ts';

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

/** One client subscription: pull a position, resolve the client's selection for it, hand it over. */
class SubscriberStream implements AsyncIterableIterator<ExecutionResult> {
  private ended = false;
  /** Highest position already requested ahead, so each one is prefetched once, not on every pull. */
  private prefetched = 0;

  constructor(
    private readonly cursor: SubscriberCursor,
    private readonly resolve: (position: number) => Promise<ExecutionResult>,
    private readonly prefetch: number,
    private readonly onEnd: (stream: SubscriberStream) => void,
  ) {}

  async next(): Promise<IteratorResult<ExecutionResult>> {
    if (this.ended) return { done: true, value: undefined };
    const pulled = await this.cursor.next();
    if (pulled === null || this.ended) return this.end();
    if ('errors' in pulled) {
      this.end();
      return { done: false, value: { errors: forwardErrors(pulled.errors) } };
    }
    for (const position of this.cursor.peek(this.prefetch)) {
      if (position <= this.prefetched) continue;
      this.prefetched = position;
      // Only warms the shared cache; a failure shows when the position is actually delivered.
      this.resolve(position).catch(() => {});
    }
    return { done: false, value: await this.resolve(pulled.position) };
  }

  async return(): Promise<IteratorResult<ExecutionResult>> {
    return this.end();
  }

  async throw(error: unknown): Promise<IteratorResult<ExecutionResult>> {
    this.end();
    throw error;
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<ExecutionResult> {
    return this;
  }

  /** Idempotent: ends a pending pull (graphql-ws calls return() while next() is parked) and releases upstreams. */
  end(): IteratorResult<ExecutionResult> {
    if (!this.ended) {
      this.ended = true;
      this.cursor.close();
      this.onEnd(this);
    }
    return { done: true, value: undefined };
  }
}

/** Subscribers of one feed that share results: same scope, same selection and variables. */
interface ResultGroup {
  resolve: (position: number) => Promise<ExecutionResult>;
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

  subscribe(plan: StreamPlan, scope: StreamScope): AsyncIterableIterator<ExecutionResult> {
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
    const stream = new SubscriberStream(cursor, this.results.resolver(plan, scope), this.prefetch, (s) => {
      this.streams.delete(s);
      leaveGroup();
    });
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
      group.resolve(position).catch(() => {});
    }
  }
}
