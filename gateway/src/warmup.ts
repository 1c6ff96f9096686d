import type { ApolloGateway } from '@apollo/gateway';
import type { GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import {
  type DocumentNode,
  type GraphQLInputType,
  type GraphQLSchema,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  Kind,
  parse,
  typeFromAST,
} from 'graphql';
import type { Logger } from 'pino';
import { operationHash } from './persisted.ts';

/** Marks a warm-up request: the gateway's plan hook stops it before any subgraph is called. */
export const warmupMarker = Symbol('query-plan-warmup');

class PlanWarmed extends Error {}

/** Passed to ApolloGateway as `experimental_didResolveQueryPlan`: ends a warm-up once its plan is cached. */
export function stopWarmupAfterPlanning({ requestContext }: { requestContext: { context: object } }): void {
  if (warmupMarker in requestContext.context) throw new PlanWarmed();
}

function operationNames(document: DocumentNode): string[] {
  return document.definitions.flatMap((d) =>
    d.kind === Kind.OPERATION_DEFINITION && d.name ? [d.name.value] : [],
  );
}

/** A value of the type, good enough to pass variable validation; plans never depend on values. */
function placeholder(type: GraphQLInputType): unknown {
  if (isNonNullType(type)) return placeholder(type.ofType);
  if (isListType(type)) return [];
  if (isEnumType(type)) return type.getValues()[0]?.value;
  if (isInputObjectType(type))
    return Object.fromEntries(
      Object.values(type.getFields())
        .filter((f) => isNonNullType(f.type) && f.defaultValue === undefined)
        .map((f) => [f.name, placeholder(f.type)]),
    );
  const scalar: Record<string, unknown> = { Int: 0, Float: 0, Boolean: false };
  return type.name in scalar ? scalar[type.name] : '0';
}

function placeholderVariables(schema: GraphQLSchema, document: DocumentNode): Record<string, unknown> {
  const variables: Record<string, unknown> = {};
  for (const d of document.definitions) {
    if (d.kind !== Kind.OPERATION_DEFINITION) continue;
    for (const v of d.variableDefinitions ?? []) {
      const type = typeFromAST(schema, v.type) as GraphQLInputType | undefined;
      if (type && isNonNullType(type) && !v.defaultValue)
        variables[v.variable.name.value] = placeholder(type);
    }
  }
  return variables;
}

/**
 * Plans every registered operation once at start, so no client pays for planning (tens of ms for
 * the 360) on its first request. The gateway keys its plan cache by the query's sha256, plus the
 * operation name when the client sends one, so both keys are filled.
 */
export async function warmQueryPlans(
  gateway: ApolloGateway,
  operations: readonly string[],
  logger: Logger,
): Promise<number> {
  let planned = 0;
  for (const query of operations) {
    let document: DocumentNode;
    try {
      document = parse(query);
    } catch {
      continue;
    }
    const names = operationNames(document);
    // Without a name only a single-operation document can be planned.
    for (const operationName of names.length > 1 ? names : [undefined, ...names]) {
      // Only the fields the executor reads before it plans; the plan hook ends the request there.
      const requestContext = {
        request: {
          query,
          operationName,
          variables: gateway.schema ? placeholderVariables(gateway.schema, document) : {},
        },
        document,
        queryHash: operationHash(query),
        operationName: operationName ?? null,
        context: { [warmupMarker]: true },
        metrics: {},
        logger,
      } as unknown as GatewayGraphQLRequestContext;
      try {
        const result = await gateway.executor(requestContext);
        if (result.errors?.length)
          logger.warn({ operationName, errors: result.errors }, 'persisted operation does not plan');
      } catch (error) {
        if (error instanceof PlanWarmed) planned += 1;
        // A registered operation the supergraph cannot plan fails for its clients too; start anyway.
        else logger.warn({ err: error, operationName }, 'persisted operation does not plan');
      }
    }
  }
  return planned;
}
