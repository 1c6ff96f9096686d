import { GraphQLError, type GraphQLFormattedError } from 'graphql';

/** The closed set of error codes clients can rely on in extensions.code. */
export const errorCodes = [
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'FORBIDDEN',
  'UNAUTHENTICATED',
  'CONFLICT',
  'RATE_LIMITED',
  'QUERY_TOO_COMPLEX',
  /** The database could not be reached (restart, failover, network): the same call may succeed on retry. */
  'SERVICE_UNAVAILABLE',
  'INTERNAL_SERVER_ERROR',
] as const;
export type ErrorCode = (typeof errorCodes)[number];

export function badInput(field: string, message: string, reason = 'INVALID'): GraphQLError {
  return new GraphQLError(`${field}: ${message}`, {
    extensions: { code: 'BAD_USER_INPUT', field, reason },
  });
}

export function notFound(entity: string, id: string): GraphQLError {
  return new GraphQLError(`${entity} ${id} was not found`, { extensions: { code: 'NOT_FOUND', entity, id } });
}

/** A business failure reported in a mutation payload, shaped as the shared `UserError` GraphQL type. */
export interface UserError {
  field: string;
  code: string;
  message: string;
}

export function userError(field: string, code: string, message: string): UserError {
  return { field, code, message: `${field}: ${message}` };
}

// postgres.js' own connection errors, socket errors, and server states that end or refuse a session.
const unavailableCodes = new Set([
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
]);

/**
 * Whether an error (or any error in its `cause` chain, as drizzle wraps driver errors) says the
 * database was unreachable rather than that the statement was wrong. SQLSTATE class 08 is
 * "connection exception".
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth += 1) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (unavailableCodes.has(code) || code.startsWith('08'))) return true;
  }
  return false;
}

/** The formatted error a client sees for a call cut by a database outage: retryable, nothing leaked. */
export function databaseUnavailable(formatted: GraphQLFormattedError): GraphQLFormattedError {
  return {
    message: 'The database is unavailable; retry shortly',
    locations: formatted.locations,
    path: formatted.path,
    extensions: { code: 'SERVICE_UNAVAILABLE', retryable: true },
  };
}
