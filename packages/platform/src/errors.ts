import { GraphQLError } from 'graphql';

/** The closed set of error codes clients can rely on in extensions.code. */
export const errorCodes = [
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'FORBIDDEN',
  'UNAUTHENTICATED',
  'CONFLICT',
  'RATE_LIMITED',
  'QUERY_TOO_COMPLEX',
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
