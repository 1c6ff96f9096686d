import { createClient } from 'graphql-ws';
import type { ConnectionState, LeadAssignedEvent } from './types.ts';

export interface LeadFeedOptions {
  url: string;
  token: string;
  dealerCode?: string;
  onEvent(event: LeadAssignedEvent): void;
  onState(state: ConnectionState, detail?: string): void;
}

export interface LeadFeed {
  /** Cursor of the last event shown; a resubscription asks for everything after it. */
  readonly lastCursor: string | undefined;
  close(): void;
}

/**
 * The live `leadAssigned` stream, resumable: graphql-ws re-sends the same payload object on every
 * reconnect, so keeping `variables.after` at the last cursor makes each retry ask for exactly the
 * missed events. A cursor seen before is dropped, so overlap never shows a row twice.
 */
export function startLeadFeed(options: LeadFeedOptions): LeadFeed {
  const variables: { dealerCode?: string; after?: string } = {};
  if (options.dealerCode) variables.dealerCode = options.dealerCode;
  let lastCursor: string | undefined;
  let everConnected = false;
  let disposeSubscription: (() => void) | undefined;
  let resubscribeTimer: ReturnType<typeof setTimeout> | undefined;

  const client = createClient({
    url: options.url,
    lazy: false,
    retryAttempts: Number.POSITIVE_INFINITY,
    shouldRetry: () => true,
    // Fast first retries, capped, so a short outage heals in about a second.
    retryWait: (retries) =>
      new Promise((resolve) => setTimeout(resolve, Math.min(250 * 2 ** retries, 5_000))),
    connectionParams: { authorization: `Bearer ${options.token}` },
    on: {
      connecting: () => options.onState(everConnected ? 'reconnecting' : 'connecting'),
      connected: () => {
        everConnected = true;
        options.onState('connected');
      },
      closed: () => options.onState(everConnected ? 'reconnecting' : 'connecting'),
    },
  });

  // Cursors are opaque to the page: duplicates are recognised by identity, never by arithmetic.
  const seen = new Set<string>();

  function subscribe(): void {
    disposeSubscription = client.subscribe<{ leadAssigned: LeadAssignedEvent }>(
      { query: __LEAD_ASSIGNED_DOCUMENT__, variables },
      {
        next: (result) => {
          const event = result.data?.leadAssigned;
          if (!event || seen.has(event.cursor)) return;
          seen.add(event.cursor);
          lastCursor = event.cursor;
          variables.after = event.cursor;
          options.onEvent(event);
        },
        // A refused subscription (e.g. bad token) is shown, then tried again from the last cursor.
        error: (error) => {
          options.onState('failed', describe(error));
          resubscribeTimer = setTimeout(subscribe, 3_000);
        },
        complete: () => {},
      },
    );
  }
  subscribe();

  return {
    get lastCursor() {
      return lastCursor;
    },
    close() {
      clearTimeout(resubscribeTimer);
      disposeSubscription?.();
      void client.dispose();
    },
  };
}

function describe(error: unknown): string {
  if (Array.isArray(error)) return error.map((e: { message?: string }) => e.message ?? String(e)).join('; ');
  if (error instanceof Error) return error.message;
  if (typeof error === 'object' && error && 'reason' in error) return String(error.reason);
  return String(error);
}
