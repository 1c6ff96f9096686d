import type { GraphQLFormattedError } from 'graphql';
import { createClient } from 'graphql-ws';
import type { Logger } from 'pino';
import { WebSocket } from 'ws';

/** What the gateway asks the owning subgraph for: positions only; each event's fields come by query. */
export const UPSTREAM_SUBSCRIPTION = `subscription LeadAssignedCursors($dealerCode: String, $after: String) {
  leadAssigned(dealerCode: $dealerCode, after: $after) { cursor }
}`;

export interface CursorRequest {
  dealerCode: string | null;
  /** As the client sent it; null means live only. */
  after: string | null;
}

export interface CursorSink {
  /** Stream positions, strictly increasing: duplicates from a resubscription are dropped before this. */
  next(position: number): void;
  /** The subgraph refused the stream for good (e.g. a malformed `after`): no retry will help. */
  fail(errors: readonly GraphQLFormattedError[]): void;
}

export interface UpstreamHandle {
  close(): void;
}

export type OpenCursorStream = (request: CursorRequest, sink: CursorSink) => UpstreamHandle;

export interface UpstreamCounters {
  /** Subscriptions to the subgraph right now. */
  active: number;
  /** Subscriptions opened since start, resubscriptions after a connection loss included. */
  opened: number;
}

export interface SubgraphCursorSource {
  open: OpenCursorStream;
  readonly counters: UpstreamCounters;
  close(): Promise<void>;
}

export interface SubgraphCursorSourceOptions {
  /** ws:// URL of the subgraph's graphql-ws endpoint. */
  url: string;
  logger: Logger;
  retryMinMs?: number;
  retryMaxMs?: number;
  /** Ping interval; a pong missing for as long again drops the connection (and resubscribes). */
  keepAliveMs?: number;
  /** connection_init payload, evaluated at every (re)connect so a short-lived signature stays fresh. */
  connectionParams?: () => Record<string, unknown>;
}

const cursorPattern = /^(0|[1-9][0-9]{0,14})$/;

export function parseCursor(value: string | null | undefined): number | null {
  return typeof value === 'string' && cursorPattern.test(value) ? Number(value) : null;
}

export function toWebSocketUrl(httpUrl: string): string {
  const url = new URL(httpUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}

function isGraphQLErrorList(value: unknown): value is GraphQLFormattedError[] {
  return Array.isArray(value) && value.every((e) => typeof e === 'object' && e !== null && 'message' in e);
}

/**
 * graphql-ws subscriptions to the subgraph that owns the stream, all multiplexed over one lazy
 * connection. graphql-ws' own retry would resubscribe with the original variables (replaying
 * or, live-only, skipping events), so it is off: each stream resubscribes itself after a
 * connection loss, from the last position it saw, with capped exponential backoff.
 */
export function connectCursorSource(options: SubgraphCursorSourceOptions): SubgraphCursorSource {
  const { logger } = options;
  const retryMinMs = options.retryMinMs ?? 250;
  const retryMaxMs = options.retryMaxMs ?? 5_000;
  const keepAliveMs = options.keepAliveMs ?? 10_000;
  const counters: UpstreamCounters = { active: 0, opened: 0 };
  const handles = new Set<() => void>();
  let socket: WebSocket | null = null;
  let pongTimer: NodeJS.Timeout | undefined;

  const client = createClient({
    url: options.url,
    connectionParams: options.connectionParams,
    webSocketImpl: WebSocket,
    lazy: true,
    lazyCloseTimeout: 1_000,
    retryAttempts: 0,
    keepAlive: keepAliveMs,
    on: {
      connected: (s) => {
        socket = s instanceof WebSocket ? s : null;
      },
      // A half-open connection (peer gone without a FIN) is only noticed by a missing pong.
      ping: (received) => {
        if (!received) pongTimer = setTimeout(() => socket?.terminate(), keepAliveMs);
      },
      pong: (received) => {
        if (received) clearTimeout(pongTimer);
      },
      closed: () => {
        clearTimeout(pongTimer);
        socket = null;
      },
    },
  });

  const open: OpenCursorStream = (request, sink) => {
    // Mutated as positions arrive, so any resubscription (ours or the library's) resumes after them.
    const variables = { dealerCode: request.dealerCode, after: request.after };
    let last: number | null = null;
    let closed = false;
    let attempt = 0;
    let dispose: (() => void) | null = null;
    // Callbacks of a subscription already released (e.g. its late `complete`) must not act.
    let current: object | null = null;
    let retryTimer: NodeJS.Timeout | undefined;

    const release = () => {
      current = null;
      if (dispose) {
        dispose();
        dispose = null;
        counters.active -= 1;
      }
    };
    const close = () => {
      if (closed) return;
      closed = true;
      clearTimeout(retryTimer);
      release();
      handles.delete(close);
    };
    const retry = (reason: unknown) => {
      if (closed) return;
      release();
      const delay = Math.min(retryMaxMs, retryMinMs * 2 ** attempt) * (0.5 + Math.random() / 2);
      attempt += 1;
      logger.warn(
        { err: reason, after: variables.after, delayMs: Math.round(delay) },
        'lead stream upstream lost',
      );
      retryTimer = setTimeout(subscribe, delay);
    };
    const fail = (errors: readonly GraphQLFormattedError[]) => {
      close();
      sink.fail(errors);
    };
    const subscribe = () => {
      if (closed) return;
      const token = {};
      current = token;
      const live = () => !closed && current === token;
      counters.active += 1;
      counters.opened += 1;
      dispose = client.subscribe<{ leadAssigned: { cursor: string } | null }>(
        { query: UPSTREAM_SUBSCRIPTION, variables },
        {
          next: (result) => {
            if (!live()) return;
            const cursor = result.data?.leadAssigned?.cursor;
            if (cursor === undefined)
              return fail(result.errors ?? [{ message: 'lead stream sent no cursor' }]);
            const position = parseCursor(cursor);
            if (position === null)
              return fail([{ message: `lead stream sent an invalid cursor "${cursor}"` }]);
            if (last !== null && position <= last) return;
            last = position;
            attempt = 0;
            variables.after = cursor;
            sink.next(position);
          },
          error: (error: unknown) => {
            if (!live()) return;
            if (isGraphQLErrorList(error)) fail(error);
            else retry(error);
          },
          // The subgraph's stream never ends by itself: an end means it went away.
          complete: () => {
            if (live()) retry(new Error('upstream completed'));
          },
        },
      );
    };

    handles.add(close);
    subscribe();
    return { close };
  };

  return {
    open,
    counters,
    close: async () => {
      for (const close of [...handles]) close();
      clearTimeout(pongTimer);
      try {
        await client.dispose();
      } catch {
        // A connection attempt that was still failing has nothing to close.
      }
    },
  };
}
