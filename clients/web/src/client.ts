import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { type DocumentNode, print } from 'graphql';
import { backoffDelay, noRetry, parseRetryAfter, type RetryPolicy, sleep } from './retry.ts';

export interface GraphQLErrorItem {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; field?: string; [key: string]: unknown };
}

export interface GraphQLResponse<R> {
  status: number;
  data?: R | null;
  errors?: GraphQLErrorItem[];
}

/** The request never got a GraphQL answer: a network failure, a timeout or a non-GraphQL HTTP status. */
export class TransportError extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
    /** Worth repeating: network errors, timeouts, 429, 502, 503, 504. */
    readonly transient: boolean,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'TransportError';
  }
}

/** The gateway answered with errors and no data. */
export class GraphQLRequestError extends Error {
  constructor(
    readonly status: number,
    readonly errors: GraphQLErrorItem[],
  ) {
    super(errors.map((e) => e.message).join('; ') || `HTTP ${status}`);
    this.name = 'GraphQLRequestError';
  }

  get code(): string | undefined {
    return this.errors[0]?.extensions?.code;
  }

  get field(): string | undefined {
    return this.errors[0]?.extensions?.field;
  }

  /** BAD_USER_INPUT's finer cause, e.g. BATCH_TOO_LARGE. */
  get reason(): string | undefined {
    const reason = this.errors[0]?.extensions?.reason;
    return typeof reason === 'string' ? reason : undefined;
  }
}

export interface RetryEvent {
  /** The retry about to happen, from 1. */
  retry: number;
  retries: number;
  delayMs: number;
  reason: string;
}

export interface ClientOptions {
  /** The gateway's /graphql URL. */
  url: string;
  /** Sent as `authorization: Bearer <token>`. */
  token?: string;
  retry?: RetryPolicy;
  timeoutMs?: number;
  onRetry?: (event: RetryEvent) => void;
  /** Injectable for jitter-free tests. */
  random?: () => number;
}

export interface GraphQLClient {
  /** The raw response: data and errors side by side (partial results included). */
  execute<R, V>(document: TypedDocumentNode<R, V>, variables: V): Promise<GraphQLResponse<R>>;
  /** The data, or a GraphQLRequestError when the response carries any error. */
  request<R, V>(document: TypedDocumentNode<R, V>, variables: V): Promise<R>;
}

const transientStatuses = new Set([429, 502, 503, 504]);
const printed = new WeakMap<DocumentNode, string>();

function queryText(document: DocumentNode): string {
  let text = printed.get(document);
  if (text === undefined) {
    text = print(document);
    printed.set(document, text);
  }
  return text;
}

async function postOnce(options: ClientOptions, body: string): Promise<GraphQLResponse<unknown>> {
  let res: Response;
  let text: string;
  try {
    res = await fetch(options.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json',
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      },
      body,
      signal: AbortSignal.timeout(options.timeoutMs ?? 60_000),
    });
    text = await res.text();
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    const name = (error as Error).name === 'TimeoutError' ? 'timeout' : (cause ?? (error as Error).message);
    throw new TransportError(`network error (${name})`, undefined, true);
  }
  if (transientStatuses.has(res.status)) {
    throw new TransportError(
      `HTTP ${res.status}`,
      res.status,
      true,
      parseRetryAfter(res.headers.get('retry-after')),
    );
  }
  let parsed: { data?: unknown; errors?: GraphQLErrorItem[] };
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    throw new TransportError(`HTTP ${res.status}: ${text.slice(0, 200)}`, res.status, false);
  }
  if (parsed.data === undefined && parsed.errors === undefined)
    throw new TransportError(`HTTP ${res.status}: not a GraphQL response`, res.status, false);
  return { status: res.status, data: parsed.data, errors: parsed.errors };
}

/** A typed GraphQL-over-HTTP client: generated documents in, typed data out. */
export function createClient(options: ClientOptions): GraphQLClient {
  const policy = options.retry ?? noRetry;
  const execute = async <R, V>(document: TypedDocumentNode<R, V>, variables: V) => {
    const body = JSON.stringify({ query: queryText(document), variables });
    for (let retry = 1; ; retry += 1) {
      try {
        return (await postOnce(options, body)) as GraphQLResponse<R>;
      } catch (error) {
        if (!(error instanceof TransportError) || !error.transient || retry > policy.retries) throw error;
        // A server's Retry-After is a floor: retrying sooner would only be refused again.
        const delayMs = Math.max(error.retryAfterMs ?? 0, backoffDelay(policy, retry, options.random));
        options.onRetry?.({ retry, retries: policy.retries, delayMs, reason: error.message });
        await sleep(delayMs);
      }
    }
  };
  return {
    execute,
    async request(document, variables) {
      const res = await execute(document, variables);
      if (res.errors?.length || res.data == null) throw new GraphQLRequestError(res.status, res.errors ?? []);
      return res.data;
    },
  };
}
