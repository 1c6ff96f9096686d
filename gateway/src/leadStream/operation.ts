import { createHash } from 'node:crypto';
import {
  type DefinitionNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  GraphQLError,
  type GraphQLSchema,
  getArgumentValues,
  getOperationAST,
  getVariableValues,
  Kind,
  type OperationDefinitionNode,
  OperationTypeNode,
  print,
  type SelectionNode,
  type SelectionSetNode,
  type VariableDefinitionNode,
  validate,
  visit,
} from 'graphql';

/** The one subscription field the gateway serves, and the query field that resolves one of its events. */
export const STREAM_FIELD = 'leadAssigned';
export const EVENT_QUERY_FIELD = 'leadAssignment';

/** A client subscription turned into the query that resolves its selection for one event. */
export interface StreamPlan {
  /** Where the event goes in `data`: the root field's alias, or `leadAssigned`. */
  responseKey: string;
  /** `query ($<idVariable>: ID!, ...) { <responseKey>: leadAssignment(id: $<idVariable>) { ...selection } }` */
  query: string;
  idVariable: string;
  /** The client's variables the selection uses, as sent (the gateway coerces them again). */
  variables: Record<string, unknown>;
  /** Identifies (query, variables): subscribers with the same key can share a result. */
  key: string;
  dealerCode: string | null;
  /** The client's `after`, unchanged: the sales subgraph is the judge of a cursor's validity. */
  after: string | null;
}

function fragmentsOf(document: DocumentNode): Map<string, FragmentDefinitionNode> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions)
    if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  return fragments;
}

/** The root fields of an operation, looking through fragment spreads and inline fragments. */
function rootFields(
  selectionSet: SelectionSetNode,
  fragments: Map<string, FragmentDefinitionNode>,
  seen = new Set<string>(),
): FieldNode[] {
  return selectionSet.selections.flatMap((s: SelectionNode): FieldNode[] => {
    if (s.kind === Kind.FIELD) return [s];
    if (s.kind === Kind.INLINE_FRAGMENT) return rootFields(s.selectionSet, fragments, seen);
    const fragment = fragments.get(s.name.value);
    if (!fragment || seen.has(s.name.value)) return [];
    seen.add(s.name.value);
    return rootFields(fragment.selectionSet, fragments, seen);
  });
}

/**
 * Standard validation plus this gateway's limits: over WebSocket it serves subscriptions only,
 * and of those only `leadAssigned`. Locations point into the client's own document.
 */
export function validateStreamDocument(schema: GraphQLSchema, document: DocumentNode): GraphQLError[] {
  const errors = [...validate(schema, document)];
  if (errors.length > 0) return errors;
  const fragments = fragmentsOf(document);
  for (const d of document.definitions) {
    if (d.kind !== Kind.OPERATION_DEFINITION) continue;
    if (d.operation !== OperationTypeNode.SUBSCRIPTION) {
      errors.push(
        new GraphQLError(
          `Only subscriptions are served over WebSocket; send ${d.operation} operations to /graphql over HTTP.`,
          { nodes: d, extensions: { code: 'OPERATION_NOT_SUPPORTED' } },
        ),
      );
      continue;
    }
    if (!schema.getSubscriptionType()) {
      errors.push(new GraphQLError('The schema has no subscription type.', { nodes: d }));
      continue;
    }
    for (const field of rootFields(d.selectionSet, fragments)) {
      if (field.name.value !== STREAM_FIELD)
        errors.push(
          new GraphQLError(`Subscription field "${field.name.value}" is not served; use ${STREAM_FIELD}.`, {
            nodes: field,
            extensions: { code: 'OPERATION_NOT_SUPPORTED' },
          }),
        );
    }
  }
  return errors;
}

/** Fragment definitions the nodes use, directly or through other fragments, in document order. */
function usedFragments(
  nodes: readonly SelectionNode[],
  fragments: Map<string, FragmentDefinitionNode>,
): FragmentDefinitionNode[] {
  const used = new Set<string>();
  const pending = [...nodes];
  while (pending.length > 0) {
    visit(pending.pop()!, {
      FragmentSpread(spread) {
        const fragment = fragments.get(spread.name.value);
        if (fragment && !used.has(spread.name.value)) {
          used.add(spread.name.value);
          pending.push(...fragment.selectionSet.selections);
        }
      },
    });
  }
  return [...fragments.values()].filter((f) => used.has(f.name.value));
}

function usedVariables(nodes: readonly (SelectionNode | FragmentDefinitionNode)[]): Set<string> {
  const names = new Set<string>();
  for (const node of nodes)
    visit(node, {
      Variable(v) {
        names.add(v.name.value);
      },
    });
  return names;
}

function freeVariableName(definitions: readonly VariableDefinitionNode[]): string {
  const taken = new Set(definitions.map((d) => d.variable.name.value));
  let name = 'leadAssignmentId';
  for (let i = 2; taken.has(name); i += 1) name = `leadAssignmentId${i}`;
  return name;
}

function optionalString(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/**
 * Turns a validated `leadAssigned` subscription into the query for one event: the root field
 * becomes `leadAssignment(id: $cursor)` under the client's response key, with the client's
 * selection, the fragments it uses and only the variable definitions it needs. Root fields
 * repeated under one response key (legal GraphQL) have their selections merged. Directives on
 * the root field itself are not carried over.
 */
export function planStream(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  rawVariables: Readonly<Record<string, unknown>> | null | undefined,
): StreamPlan | { errors: GraphQLError[] } {
  const operation: OperationDefinitionNode | null | undefined = getOperationAST(document, operationName);
  const field = schema.getSubscriptionType()?.getFields()[STREAM_FIELD];
  if (!operation || operation.operation !== OperationTypeNode.SUBSCRIPTION || !field)
    return { errors: [new GraphQLError(`Expected a ${STREAM_FIELD} subscription.`)] };
  const fragments = fragmentsOf(document);
  const roots = rootFields(operation.selectionSet, fragments);
  const [root] = roots;
  if (!root) return { errors: [new GraphQLError(`Expected a ${STREAM_FIELD} subscription.`)] };

  const definitions = operation.variableDefinitions ?? [];
  const coerced = getVariableValues(schema, definitions, rawVariables ?? {});
  if (coerced.errors) return { errors: [...coerced.errors] };
  let args: Record<string, unknown>;
  try {
    args = getArgumentValues(field, root, coerced.coerced);
  } catch (error) {
    if (error instanceof GraphQLError) return { errors: [error] };
    throw error;
  }

  const selections = roots.flatMap((r) => r.selectionSet?.selections ?? []);
  const fragmentDefinitions = usedFragments(selections, fragments);
  const used = usedVariables([...selections, ...fragmentDefinitions]);
  const idVariable = freeVariableName(definitions);
  const responseKey = root.alias?.value ?? root.name.value;
  const query: DocumentNode = {
    kind: Kind.DOCUMENT,
    definitions: [
      {
        kind: Kind.OPERATION_DEFINITION,
        operation: OperationTypeNode.QUERY,
        name: operation.name,
        variableDefinitions: [
          {
            kind: Kind.VARIABLE_DEFINITION,
            variable: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: idVariable } },
            type: {
              kind: Kind.NON_NULL_TYPE,
              type: { kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: 'ID' } },
            },
          },
          ...definitions.filter((d) => used.has(d.variable.name.value)),
        ],
        selectionSet: {
          kind: Kind.SELECTION_SET,
          selections: [
            {
              kind: Kind.FIELD,
              alias: { kind: Kind.NAME, value: responseKey },
              name: { kind: Kind.NAME, value: EVENT_QUERY_FIELD },
              arguments: [
                {
                  kind: Kind.ARGUMENT,
                  name: { kind: Kind.NAME, value: 'id' },
                  value: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: idVariable } },
                },
              ],
              selectionSet: { kind: Kind.SELECTION_SET, selections },
            },
          ],
        },
      },
      ...fragmentDefinitions,
    ] satisfies DefinitionNode[],
  };

  const variables: Record<string, unknown> = {};
  for (const d of definitions) {
    const name = d.variable.name.value;
    if (used.has(name) && rawVariables && name in rawVariables) variables[name] = rawVariables[name];
  }
  const printed = print(query);
  return {
    responseKey,
    query: printed,
    idVariable,
    variables,
    key: createHash('sha256')
      .update(printed)
      .update('\0')
      .update(JSON.stringify(variables))
      .digest('base64url'),
    dealerCode: optionalString(args.dealerCode),
    after: optionalString(args.after),
  };
}
