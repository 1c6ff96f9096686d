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

/** The SQLSTATEs (or driver codes) along an error's `cause` chain: drizzle wraps driver errors. */
function* sqlStates(error: unknown): Generator<string> {
  for (const e of causes(error)) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') yield code;
  }
}

function* causes(error: unknown): Generator<Error> {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth += 1) yield e;
}

/** Whether an error is a unique violation (SQLSTATE 23505) of this constraint or index. */
export function violatesUnique(error: unknown, constraint: string): boolean {
  for (const e of causes(error)) {
    const { code, constraint_name: name } = e as { code?: unknown; constraint_name?: unknown };
    if (code === '23505' && name === constraint) return true;
  }
  return false;
}

/**
 * Whether an error says the database was unreachable rather than that the statement was wrong.
 * SQLSTATE class 08 is "connection exception".
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (const code of sqlStates(error)) if (unavailableCodes.has(code) || code.startsWith('08')) return true;
  return false;
}

/**
 * Runs a transaction again when Postgres broke a deadlock by failing it (SQLSTATE 40P01): the
 * other side has committed by then. For transactions that lock rows in an order they cannot fix
 * in advance; a few attempts, then the error stands. `retryAlso` names other errors a fresh
 * attempt resolves (e.g. a unique violation by a concurrent transaction that has committed since).
 */
export async function retryOnDeadlock<T>(
  run: () => Promise<T>,
  attempts = 3,
  retryAlso: (error: unknown) => boolean = () => false,
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await run();
    } catch (error) {
      if (attempt >= attempts || !([...sqlStates(error)].includes('40P01') || retryAlso(error))) throw error;
    }
  }
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
