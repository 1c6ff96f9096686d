import { existsSync } from 'node:fs';
import type { ApolloServerPlugin } from '@apollo/server';
import { signInternalAuth, type Viewer } from '@cx/platform/auth';
import type { GraphQLFormattedError } from 'graphql';
import { AuthError, bearerToken, createTokenVerifier, type JwtConfig } from './auth.ts';
import { checkLimits, measureOperation, type QueryLimits } from './limits.ts';
import { operationHash, PersistedOperations } from './persisted.ts';
import { RateLimiter } from './rateLimit.ts';

/** Everything the gateway enforces before a request reaches a subgraph. */
export interface GatewaySecurity {
  verifyToken(token: string): Promise<Viewer>;
  /** Signs the verified claims for the subgraphs (the internal auth header). */
  internalAuthSecret: string;
  limits: QueryLimits;
  rateLimiter?: RateLimiter;
  persisted?: PersistedOperations;
  /** Only registered operations run (persisted-operations allowlist mode). */
  allowlistOnly?: boolean;
}

export interface SecureContext {
  requestId: string;
  viewer: Viewer | null;
}

export class RequestRefused extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** Verifies the bearer token (401 without a valid one) and applies the caller's rate limit (429). */
export async function authenticate(
  security: GatewaySecurity,
  authorization: string | undefined,
): Promise<Viewer> {
  const token = bearerToken(authorization);
  if (!token)
    throw new RequestRefused(401, 'UNAUTHENTICATED', 'authorization: a Bearer token is required', {
      'www-authenticate': 'Bearer',
    });
  let viewer: Viewer;
  try {
    viewer = await security.verifyToken(token);
  } catch (error) {
    const message = error instanceof AuthError ? error.message : 'token: invalid';
    throw new RequestRefused(401, 'UNAUTHENTICATED', message, {
      'www-authenticate': 'Bearer error="invalid_token"',
    });
  }
  const wait = security.rateLimiter?.take(viewer.sub) ?? 0;
  if (wait > 0)
    throw new RequestRefused(429, 'RATE_LIMITED', `rate limit exceeded; retry in ${wait} s`, {
      'retry-after': String(wait),
    });
  return viewer;
}

interface PersistedQueryExtension {
  persistedQuery?: { sha256Hash?: string };
}

/**
 * Resolves persisted operations (`extensions.persistedQuery.sha256Hash`, with or without the text)
 * and, in allowlist mode, refuses anything not registered.
 */
export function applyPersistedOperations(
  security: GatewaySecurity,
  body: Record<string, unknown>,
): Record<string, unknown> {
  const registry = security.persisted;
  if (!registry) return body;
  const hash = (body.extensions as PersistedQueryExtension | undefined)?.persistedQuery?.sha256Hash;
  const query = typeof body.query === 'string' ? body.query : undefined;
  if (hash && !query) {
    const known = registry.get(hash);
    if (!known)
      throw new RequestRefused(
        400,
        'PERSISTED_QUERY_NOT_FOUND',
        'extensions.persistedQuery: unknown operation hash',
      );
    return { ...withoutPersistedQuery(body), query: known };
  }
  if (hash && query && operationHash(query) !== hash) {
    throw new RequestRefused(400, 'BAD_REQUEST', 'extensions.persistedQuery: hash does not match the query');
  }
  if (security.allowlistOnly && !(query && registry.has(query))) {
    throw new RequestRefused(
      403,
      'OPERATION_NOT_ALLOWED',
      'query: only registered operations may run on this gateway',
    );
  }
  return hash ? withoutPersistedQuery(body) : body;
}

/** Apollo's own APQ would look the hash up in its cache; the gateway has already resolved it. */
function withoutPersistedQuery(body: Record<string, unknown>): Record<string, unknown> {
  const { persistedQuery: _, ...rest } = (body.extensions ?? {}) as Record<string, unknown>;
  return { ...body, extensions: rest };
}

/** Depth, alias and cost limits, checked after validation and before any subgraph is called. */
export function limitsPlugin(limits: QueryLimits): ApolloServerPlugin<SecureContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operation, request }) {
          if (!operation) return;
          const error = checkLimits(measureOperation(document, operation, request.variables ?? {}), limits);
          if (error) throw error;
        },
      };
    },
  };
}

const exposedCodes = new Set([
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'FORBIDDEN',
  'UNAUTHENTICATED',
  'CONFLICT',
  'RATE_LIMITED',
  'QUERY_TOO_COMPLEX',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'OPERATION_RESOLUTION_FAILURE',
  'DOWNSTREAM_SERVICE_ERROR',
  'SUBGRAPH_UNAVAILABLE',
  'SERVICE_UNAVAILABLE',
]);

/** Masks unexpected errors in every response, stamping the request id so support can find the logs. */
export function maskErrorsPlugin(development: boolean): ApolloServerPlugin<SecureContext> {
  return {
    async requestDidStart({ contextValue }) {
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single' || !response.body.singleResult.errors) return;
          response.body.singleResult.errors = response.body.singleResult.errors.map((e) =>
            maskError(e, development, contextValue.requestId),
          );
        },
      };
    },
  };
}

/** Unexpected errors become INTERNAL_SERVER_ERROR with the request id; nothing else leaks outside development. */
export function maskError(
  formatted: GraphQLFormattedError,
  development: boolean,
  requestId?: string,
): GraphQLFormattedError {
  const code = formatted.extensions?.code;
  if (development || (typeof code === 'string' && exposedCodes.has(code))) return formatted;
  return {
    message: 'Internal server error',
    locations: formatted.locations,
    path: formatted.path,
    extensions: { code: 'INTERNAL_SERVER_ERROR', ...(requestId ? { requestId } : {}) },
  };
}

export function internalAuthHeader(security: GatewaySecurity, viewer: Viewer): string {
  return signInternalAuth(viewer, security.internalAuthSecret);
}

export interface SecurityConfig {
  jwt: JwtConfig;
  internalAuthSecret: string;
  limits: QueryLimits;
  rateLimitPerMinute?: number;
  /** Folders of `.graphql` operations to pre-register (the contract, the clients' operations). */
  persistedOperationDirs?: string[];
  allowlistOnly?: boolean;
}

export function createGatewaySecurity(config: SecurityConfig): GatewaySecurity {
  const persisted = new PersistedOperations();
  for (const dir of config.persistedOperationDirs ?? []) if (existsSync(dir)) persisted.registerFolder(dir);
  return {
    verifyToken: createTokenVerifier(config.jwt),
    internalAuthSecret: config.internalAuthSecret,
    limits: config.limits,
    rateLimiter: config.rateLimitPerMinute ? new RateLimiter(config.rateLimitPerMinute) : undefined,
    persisted,
    allowlistOnly: config.allowlistOnly,
  };
}
