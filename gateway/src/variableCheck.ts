import type { ApolloGateway } from '@apollo/gateway';
import {
  type GraphQLError,
  type GraphQLInputType,
  type GraphQLSchema,
  isEnumType,
  isInputObjectType,
  isInputType,
  isLeafType,
  isListType,
  isNonNullType,
  type VariableDefinitionNode,
} from 'graphql';
import { typeFromAST } from 'graphql/utilities/typeFromAST.js';

/**
 * Whether graphql-js would coerce `value` to `type` without an error, answered without building
 * the coerced value: no copies, no path objects. Conservative: anything it is unsure of (oneOf
 * inputs) counts as invalid, so the caller falls back to graphql-js, which then names the error.
 */
function acceptable(value: unknown, type: GraphQLInputType): boolean {
  if (isNonNullType(type)) return value != null && acceptable(value, type.ofType);
  if (value == null) return true;
  if (isListType(type)) {
    if (!Array.isArray(value)) {
      // Lists accept a single value as a list of one; iterables other than arrays go the slow way.
      const iterable = typeof value === 'object' && Symbol.iterator in value;
      return !iterable && acceptable(value, type.ofType);
    }
    for (const item of value) if (!acceptable(item, type.ofType)) return false;
    return true;
  }
  if (isInputObjectType(type)) {
    if (typeof value !== 'object' || Array.isArray(value) || type.isOneOf) return false;
    const fields = type.getFields();
    const record = value as Record<string, unknown>;
    for (const name in record) if (!Object.hasOwn(fields, name)) return false;
    for (const name in fields) {
      const field = fields[name]!;
      const given = record[name];
      if (given === undefined) {
        if (field.defaultValue === undefined && isNonNullType(field.type)) return false;
      } else if (!acceptable(given, field.type)) {
        return false;
      }
    }
    return true;
  }
  if (isLeafType(type)) {
    try {
      return (isEnumType(type) ? type.parseValue(value, true) : type.parseValue(value)) !== undefined;
    } catch {
      return false;
    }
  }
  return false;
}

/** Every variable of the operation present (or defaulted) and acceptable, as graphql-js's getVariableValues checks. */
export function variablesAcceptable(
  schema: GraphQLSchema,
  definitions: readonly VariableDefinitionNode[],
  inputs: Record<string, unknown>,
): boolean {
  for (const definition of definitions) {
    const type = typeFromAST(schema, definition.type);
    if (!type || !isInputType(type)) return false;
    const name = definition.variable.name.value;
    if (!Object.hasOwn(inputs, name)) {
      if (!definition.defaultValue && isNonNullType(type)) return false;
      continue;
    }
    if (!acceptable(inputs[name], type)) return false;
  }
  return true;
}

type ValidateIncomingRequest = (
  requestContext: { request: { variables?: Record<string, unknown> } },
  operationContext: {
    schema: GraphQLSchema;
    operation: { variableDefinitions?: readonly VariableDefinitionNode[] };
  },
) => readonly GraphQLError[];

/**
 * Apollo Gateway checks a request's variables by coercing them with graphql-js and discarding the
 * result; the subgraph that receives them coerces them again. For a 1,000-record ingest batch
 * that check was a third of the gateway's CPU. Valid variables now pass a check that allocates
 * nothing; only invalid ones go through Apollo's own check, which reports them as before.
 */
export function installFastVariableCheck(gateway: ApolloGateway): void {
  const target = gateway as unknown as { validateIncomingRequest: ValidateIncomingRequest };
  const apolloCheck = target.validateIncomingRequest.bind(gateway);
  target.validateIncomingRequest = (requestContext, operationContext) => {
    const definitions = operationContext.operation.variableDefinitions;
    if (!definitions || definitions.length === 0) return [];
    if (variablesAcceptable(operationContext.schema, definitions, requestContext.request.variables ?? {}))
      return [];
    return apolloCheck(requestContext, operationContext);
  };
}
