import type { IncomingMessage } from 'node:http';
import { dealerScopeOf, type Viewer } from '@cx/platform/auth';

/** Who a graphql-ws connection acts for: decides which events it may see and keys shared results. */
export interface StreamScope {
  /** Part of every shared-result key: two subscribers share a result only within one scope. */
  key: string;
  viewer: Viewer | null;
}

export const anonymousScope: StreamScope = { key: 'anonymous', viewer: null };

/** Verifies a connection's credentials; throws when they are missing or invalid. */
export type AuthenticateConnection = (authorization: string | undefined) => Promise<Viewer>;

/**
 * Who a connection acts for: the bearer token from the connection_init payload
 * (`{ authorization: 'Bearer ...' }`) or, failing that, the upgrade request's Authorization header.
 * Without an authenticator (in-process tests of the stream alone) connections are anonymous.
 */
export async function scopeOfConnection(
  connectionParams: Readonly<Record<string, unknown>> | undefined,
  request: IncomingMessage,
  authenticate?: AuthenticateConnection,
): Promise<StreamScope> {
  if (!authenticate) return anonymousScope;
  const fromParams = connectionParams?.authorization ?? connectionParams?.Authorization;
  const authorization = typeof fromParams === 'string' ? fromParams : request.headers.authorization;
  const viewer = await authenticate(authorization);
  return {
    key: `${viewer.role}|${viewer.dealer ?? '*'}|${viewer.scopes.includes('pii:read') ? 'pii' : 'masked'}`,
    viewer,
  };
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
