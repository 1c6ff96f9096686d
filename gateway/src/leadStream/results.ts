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
 * One result per (event, query, variables, scope), shared by every subscriber that gets the event:
 * a thousand dashboards on one event cost one query. Entries are promises, so subscribers arriving
 * while the query runs wait for it instead of starting another. Bounded (insertion-ordered LRU); a
 * subscriber that lags past the bound costs one more query, nothing worse.
 */
export class EventResults {
  private readonly entries = new Map<string, Promise<ExecutionResult>>();
  readonly counters: EventResultCounters = { executions: 0, cacheHits: 0 };

  constructor(
    private readonly execute: ExecuteEventQuery,
    private readonly maxEntries: number,
  ) {}

  get(plan: StreamPlan, scope: StreamScope, position: number): Promise<ExecutionResult> {
    const key = `${position}\0${scope.key}\0${plan.key}`;
    const cached = this.entries.get(key);
    if (cached) {
      this.counters.cacheHits += 1;
      this.entries.delete(key);
      this.entries.set(key, cached);
      return cached;
    }
    this.counters.executions += 1;
    const pending = this.execute({
      query: plan.query,
      variables: { ...plan.variables, [plan.idVariable]: String(position) },
      requestId: randomUUID(),
      scope,
    }).then((result) => toEventResult(result, plan, position));
    // A failed execution is not shared with later subscribers: they try again.
    pending.catch(() => {
      if (this.entries.get(key) === pending) this.entries.delete(key);
    });
    this.entries.set(key, pending);
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    return pending;
  }
}
