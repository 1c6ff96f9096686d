import type { IncomingMessage } from 'node:http';
import { dealerScopeOf, type Viewer } from '@cx/platform/auth';

/** Who a graphql-ws connection acts for: decides which events it may see and keys shared results. */
export interface StreamScope {
  /** Part of every shared-result key: two subscribers share a result only within one scope. */
  key: string;
  viewer: Viewer | null;
}

export const anonymousScope: StreamScope = { key: 'anonymous', viewer: null };

/**
 * The seam for authentication: once the gateway verifies tokens, read the connection's token
 * (connection_init payload or the upgrade request's Authorization header) here. Until then every
 * connection is anonymous and sees every dealer's events.
 */
export function scopeOfConnection(
  _connectionParams: Readonly<Record<string, unknown>> | undefined,
  _request: IncomingMessage,
): StreamScope {
  return anonymousScope;
}

/** Dealer codes are compared upper-case, blank meaning "all dealers", as the sales subgraph does. */
export function normalizeDealerCode(code: string | null | undefined): string | null {
  const trimmed = code?.trim();
  return trimmed ? trimmed.toUpperCase() : null;
}

/** The dealer a subscription is filtered to: a dealer role is pinned to its own dealer whatever it asks. */
export function effectiveDealerCode(scope: StreamScope, requested: string | null): string | null {
  const pinned = scope.viewer ? dealerScopeOf(scope.viewer) : null;
  return normalizeDealerCode(pinned ?? requested);
}
