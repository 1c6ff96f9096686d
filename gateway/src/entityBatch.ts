import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import type { GraphQLFormattedError } from 'graphql';

/** One `_entities` fetch waiting to share a subgraph call with others of the same shape. */
interface Member {
  variables: Record<string, unknown>;
  representations: unknown[];
  headers: Record<string, string>;
  resolve(response: GatewayGraphQLResponse): void;
  reject(error: unknown): void;
}

interface Batch {
  query: string;
  operationName: string | undefined;
  members: Member[];
  size: number;
}

export interface EntityFetch {
  query: string;
  operationName: string | undefined;
  variables: Record<string, unknown>;
  headers: Record<string, string>;
}

/** Sends one merged call: the body of a single fetch whose `representations` are every member's. */
export type SendEntities = (
  body: { query: string; operationName: string | undefined; variables: Record<string, unknown> },
  headers: Record<string, string>,
) => Promise<GatewayGraphQLResponse>;

export interface EntityBatcherOptions {
  /** The header that carries the caller's signed claims: only calls with equal values share a call. */
  authHeader: string;
  /** Upper bound of representations in one merged call. */
  maxRepresentations?: number;
}

/** Error paths `["_entities", i, ...]` belong to member k when i falls in its slice. */
function sliceErrors(
  errors: readonly GraphQLFormattedError[] | undefined,
  offset: number,
  count: number,
): GraphQLFormattedError[] | undefined {
  if (!errors) return undefined;
  const mine: GraphQLFormattedError[] = [];
  for (const error of errors) {
    const [root, index, ...rest] = error.path ?? [];
    if (root === '_entities' && typeof index === 'number') {
      if (index >= offset && index < offset + count)
        mine.push({ ...error, path: [root, index - offset, ...rest] });
    } else {
      // Not about one entity (e.g. a failed request): every member sees it.
      mine.push(error);
    }
  }
  return mine.length > 0 ? mine : undefined;
}

/**
 * Concurrent requests run the same query plans, so at any moment several of them wait on the same
 * `_entities` fetch to the same subgraph, each with its own representations. The batcher merges
 * the ones issued in the same turn of the event loop, for the same operation, other variables and
 * signed caller, into one subgraph call, and hands each its slice of `_entities` (and of the
 * errors, re-indexed). The subgraph then pays its per-call cost (HTTP, parsing, validation,
 * Apollo's pipeline, one SQL statement per loader) once for all of them. A call alone in its turn
 * goes out unchanged and no later: flushing at setImmediate adds no timer.
 */
export class EntityBatcher {
  private pending = new Map<string, Batch>();
  private scheduled = false;
  private readonly maxRepresentations: number;
  /** Calls sent and entity fetches they carried, since start. */
  readonly counters = { calls: 0, fetches: 0 };

  constructor(
    private readonly send: SendEntities,
    private readonly options: EntityBatcherOptions,
  ) {
    this.maxRepresentations = options.maxRepresentations ?? 1_000;
  }

  /** Whether a fetch can be merged: an `_entities` query with a representations list. */
  static accepts(variables: Record<string, unknown> | undefined): boolean {
    return Array.isArray(variables?.representations);
  }

  fetch(request: EntityFetch): Promise<GatewayGraphQLResponse> {
    const { representations, ...others } = request.variables as { representations: unknown[] };
    const key = `${request.headers[this.options.authHeader] ?? ''}\0${request.operationName ?? ''}\0${request.query}\0${JSON.stringify(others)}`;
    return new Promise((resolve, reject) => {
      let batch = this.pending.get(key);
      if (batch && batch.size + representations.length > this.maxRepresentations) {
        this.pending.delete(key);
        void this.flush(batch);
        batch = undefined;
      }
      if (!batch) {
        batch = { query: request.query, operationName: request.operationName, members: [], size: 0 };
        this.pending.set(key, batch);
      }
      batch.members.push({ variables: others, representations, headers: request.headers, resolve, reject });
      batch.size += representations.length;
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flushAll());
      }
    });
  }

  private flushAll(): void {
    this.scheduled = false;
    const batches = [...this.pending.values()];
    this.pending.clear();
    for (const batch of batches) void this.flush(batch);
  }

  private async flush(batch: Batch): Promise<void> {
    const { members } = batch;
    const first = members[0]!;
    this.counters.calls += 1;
    this.counters.fetches += members.length;
    const representations =
      members.length === 1 ? first.representations : members.flatMap((m) => m.representations);
    let response: GatewayGraphQLResponse;
    try {
      response = await this.send(
        {
          query: batch.query,
          operationName: batch.operationName,
          variables: { ...first.variables, representations },
        },
        // The first member's request id and trace; the signed claims are equal for all of them.
        first.headers,
      );
    } catch (error) {
      for (const member of members) member.reject(error);
      return;
    }
    if (members.length === 1) return first.resolve(response);
    const entities = response.data?._entities;
    let offset = 0;
    for (const member of members) {
      const count = member.representations.length;
      const data = Array.isArray(entities)
        ? { ...response.data, _entities: entities.slice(offset, offset + count) }
        : response.data;
      const errors = sliceErrors(response.errors, offset, count);
      member.resolve({
        data,
        ...(errors ? { errors } : {}),
        ...(response.extensions ? { extensions: response.extensions } : {}),
      });
      offset += count;
    }
  }
}
