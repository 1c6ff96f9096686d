import type { ApolloGateway } from '@apollo/gateway';
import {
  GraphQLBoolean,
  type GraphQLError,
  type GraphQLInputType,
  type GraphQLSchema,
  GraphQLString,
  isEnumType,
  isInputObjectType,
  isInputType,
  isListType,
  isNonNullType,
  Kind,
  type VariableDefinitionNode,
} from 'graphql';
import { typeFromAST } from 'graphql/utilities/typeFromAST.js';

/** Whether graphql-js would coerce a value to one input type without an error. */
type Check = (value: unknown) => boolean;

const checkers = new WeakMap<GraphQLInputType, Check>();

/**
 * The check of a type, built once per schema type: graphql-js's type predicates are costly
 * outside NODE_ENV=production, and a 1,000-record batch would call them for every field.
 * Built lazily, as input types may refer to themselves.
 */
function checkerOf(type: GraphQLInputType): Check {
  const known = checkers.get(type);
  if (known) return known;
  let check: Check | undefined;
  const lazy: Check = (value) => {
    check ??= buildCheck(type);
    return check(value);
  };
  checkers.set(type, lazy);
  return lazy;
}

/**
 * Mirrors graphql-js's coerceInputValue without building the coerced value: no copies, no path
 * objects. Conservative: anything it is unsure of (oneOf inputs, iterables other than arrays)
 * counts as invalid, so the caller falls back to graphql-js, which then names the error.
 */
function buildCheck(type: GraphQLInputType): Check {
  if (isNonNullType(type)) {
    const inner = checkerOf(type.ofType);
    return (value) => value != null && inner(value);
  }
  if (isListType(type)) {
    const item = checkerOf(type.ofType);
    return (value) => {
      if (value == null) return true;
      // Lists accept a single value as a list of one.
      if (!Array.isArray(value))
        return !(typeof value === 'object' && Symbol.iterator in value) && item(value);
      for (const element of value) if (!item(element)) return false;
      return true;
    };
  }
  if (isInputObjectType(type)) {
    if (type.isOneOf) return (value) => value == null;
    const fields = Object.values(type.getFields()).map((field) => ({
      name: field.name,
      check: checkerOf(field.type),
      required: field.defaultValue === undefined && isNonNullType(field.type),
    }));
    const names = new Set(fields.map((f) => f.name));
    return (value) => {
      if (value == null) return true;
      if (typeof value !== 'object' || Array.isArray(value)) return false;
      const record = value as Record<string, unknown>;
      for (const name in record) if (!names.has(name)) return false;
      for (const field of fields) {
        const given = record[field.name];
        if (given === undefined ? field.required : !field.check(given)) return false;
      }
      return true;
    };
  }
  if (isEnumType(type)) {
    const values = new Set(type.getValues().map((v) => v.name));
    return (value) => value == null || (typeof value === 'string' && values.has(value));
  }
  if (type === GraphQLString) return (value) => value == null || typeof value === 'string';
  if (type === GraphQLBoolean) return (value) => value == null || typeof value === 'boolean';
  return (value) => {
    if (value == null) return true;
    try {
      return type.parseValue(value) !== undefined;
    } catch {
      return false;
    }
  };
}

const variableCheckers = new WeakMap<GraphQLSchema, WeakMap<VariableDefinitionNode, Check | null>>();

/** The check of one variable definition (null: not an input type), cached per parsed document. */
function variableCheckOf(schema: GraphQLSchema, definition: VariableDefinitionNode): Check | null {
  let bySchema = variableCheckers.get(schema);
  if (!bySchema) {
    bySchema = new WeakMap();
    variableCheckers.set(schema, bySchema);
  }
  let check = bySchema.get(definition);
  if (check === undefined) {
    const type = typeFromAST(schema, definition.type);
    check = type && isInputType(type) ? checkerOf(type) : null;
    bySchema.set(definition, check);
  }
  return check;
}

/** Every variable of the operation present (or defaulted) and acceptable, as graphql-js's getVariableValues checks. */
export function variablesAcceptable(
  schema: GraphQLSchema,
  definitions: readonly VariableDefinitionNode[],
  inputs: Record<string, unknown>,
): boolean {
  for (const definition of definitions) {
    const check = variableCheckOf(schema, definition);
    if (!check) return false;
    const name = definition.variable.name.value;
    if (!Object.hasOwn(inputs, name)) {
      if (!definition.defaultValue && definition.type.kind === Kind.NON_NULL_TYPE) return false;
      continue;
    }
    if (!check(inputs[name])) return false;
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
