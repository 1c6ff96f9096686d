import { randomUUID } from 'node:crypto';
import { type ExecutionResult, GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { StreamPlan } from './operation.ts';
import type { StreamScope } from './scope.ts';

/** A formatted GraphQL result, as the gateway's own executor returns it. */
export interface FormattedResult {
  data?: Record<string, unknown> | null;
  errors?: readonly GraphQLFormattedError[];
}

export interface EventQuery {
  query: string;
  variables: Record<string, unknown>;
  requestId: string;
  scope: StreamScope;
}

/** Runs a query through the gateway's own query planning (e.g. ApolloServer.executeOperation). */
export type ExecuteEventQuery = (request: EventQuery) => Promise<FormattedResult>;

/**
 * An error received already formatted (from a subgraph or the gateway executor), passed on as it
 * came: graphql-ws serializes errors with `toJSON()`.
 */
export class ForwardedError extends GraphQLError {
  constructor(private readonly formatted: GraphQLFormattedError) {
    super(formatted.message, { path: formatted.path, extensions: formatted.extensions });
  }

  override toJSON(): GraphQLFormattedError {
    return this.formatted;
  }
}

export function forwardErrors(errors: readonly GraphQLFormattedError[]): GraphQLError[] {
  // Locations would point into a document the client never sent.
  return errors.map(({ locations: _, ...rest }) => new ForwardedError(rest));
}

/** The subscription payload for one event: the query's data under the client's response key. */
export function toEventResult(result: FormattedResult, plan: StreamPlan, position: number): ExecutionResult {
  const errors = result.errors?.length ? forwardErrors(result.errors) : undefined;
  if (result.data?.[plan.responseKey] == null) {
    // The subscription field is non-null, so an unresolvable event nulls the whole payload.
    return {
      data: null,
      errors: errors ?? [
        new GraphQLError(`Lead assignment ${position} could not be resolved.`, {
          path: [plan.responseKey],
          extensions: { code: 'NOT_FOUND' },
        }),
      ],
    };
  }
  return errors ? { data: result.data, errors } : { data: result.data };
}

export interface EventResultCounters {
  executions: number;
  cacheHits: number;
}

/**
 * One event's result for one (scope, selection), shared by every subscriber that gets the event.
 * Its state can be read synchronously, and whoever waits is called back in one pass when the
 * query settles: a thousand subscribers waiting for one result cost one promise reaction, not a
 * thousand.
 */
export class SharedResult {
  state: 'pending' | 'done' | 'failed' = 'pending';
  /** The result, once done. */
  value: ExecutionResult | undefined = undefined;
  /** Why the query failed, once failed. */
  error: unknown = undefined;
  private waiters: (() => void)[] = [];

  constructor(readonly promise: Promise<ExecutionResult>) {
    promise.then(
      (value) => {
        this.value = value;
        this.settle('done');
      },
      (error: unknown) => {
        this.error = error;
        this.settle('failed');
      },
    );
  }

  /** Calls `waiter` once the query has settled; only while it is pending. */
  whenSettled(waiter: () => void): void {
    this.waiters.push(waiter);
  }

  private settle(state: 'done' | 'failed'): void {
    this.state = state;
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter();
  }
}

/** One (scope, selection)'s results: what a result group's subscribers share, by position. */
type GroupResults = Map<number, SharedResult>;

/**
 * One result per (event, query, variables, scope), shared by every subscriber that gets the event:
 * a thousand dashboards on one event cost one query. Entries are promises, so subscribers arriving
 * while the query runs wait for it instead of starting another. Bounded: the oldest entries go
 * first (positions only grow, so those are the events every live subscriber has passed); a
 * subscriber that lags past the bound costs one more query, nothing worse. Subscribers look up
 * through `resolver`, which finds their group once, so a delivery costs one lookup by number.
 */
export class EventResults {
  private readonly groups = new Map<string, GroupResults>();
  /** Insertion order of every entry, oldest first from `head`, for eviction. */
  private readonly order: { group: GroupResults; groupKey: string; position: number }[] = [];
  private head = 0;
  private size = 0;
  readonly counters: EventResultCounters = { executions: 0, cacheHits: 0 };

  constructor(
    private readonly execute: ExecuteEventQuery,
    private readonly maxEntries: number,
  ) {}

  /** Results by position for one scope and selection. */
  resolver(plan: StreamPlan, scope: StreamScope): (position: number) => SharedResult {
    const groupKey = `${scope.key}\0${plan.key}`;
    return (position) => this.get(groupKey, plan, scope, position);
  }

  private get(groupKey: string, plan: StreamPlan, scope: StreamScope, position: number): SharedResult {
    let group = this.groups.get(groupKey);
    if (!group) {
      group = new Map();
      this.groups.set(groupKey, group);
    }
    const cached = group.get(position);
    if (cached) {
      this.counters.cacheHits += 1;
      return cached;
    }
    this.counters.executions += 1;
    const pending = new SharedResult(
      this.execute({
        query: plan.query,
        variables: { ...plan.variables, [plan.idVariable]: String(position) },
        requestId: randomUUID(),
        scope,
      }).then((result) => toEventResult(result, plan, position)),
    );
    const entries = group;
    // A failed execution is not shared with later subscribers: they try again.
    pending.whenSettled(() => {
      if (pending.state === 'failed' && entries.get(position) === pending) entries.delete(position);
    });
    entries.set(position, pending);
    this.order.push({ group: entries, groupKey, position });
    this.size += 1;
    while (this.size > this.maxEntries) this.evictOldest();
    return pending;
  }

  private evictOldest(): void {
    const oldest = this.order[this.head]!;
    this.head += 1;
    this.size -= 1;
    oldest.group.delete(oldest.position);
    if (oldest.group.size === 0 && this.groups.get(oldest.groupKey) === oldest.group)
      this.groups.delete(oldest.groupKey);
    // Drop the consumed prefix now and then instead of shifting on every eviction.
    if (this.head > 1024 && this.head * 2 > this.order.length) {
      this.order.splice(0, this.head);
      this.head = 0;
    }
  }
}
