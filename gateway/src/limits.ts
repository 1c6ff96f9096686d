import {
  type DocumentNode,
  type FragmentDefinitionNode,
  GraphQLError,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';

export interface QueryLimits {
  maxDepth: number;
  maxAliases: number;
  maxCost: number;
}

export interface QueryShape {
  depth: number;
  aliases: number;
  /** Fields weighted by the list sizes above them (`first`, default page size otherwise). */
  cost: number;
}

const DEFAULT_PAGE = 10;

function numberArg(value: ValueNode | undefined, variables: Record<string, unknown>): number | undefined {
  if (!value) return undefined;
  if (value.kind === Kind.INT) return Number(value.value);
  if (value.kind === Kind.VARIABLE) {
    const v = variables[value.name.value];
    return typeof v === 'number' ? v : undefined;
  }
  return undefined;
}

/** Measures an operation before it runs, expanding fragments, so bombs are refused before any subgraph call. */
export function measureOperation(
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> = {},
): QueryShape {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions)
    if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  let aliases = 0;
  let depth = 0;
  let cost = 0;
  const walk = (set: SelectionSetNode, level: number, multiplier: number, seen: ReadonlySet<string>) => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.alias) aliases += 1;
        if (selection.name.value.startsWith('__')) continue;
        depth = Math.max(depth, level);
        cost += multiplier;
        if (selection.selectionSet) {
          const first = numberArg(
            selection.arguments?.find((a) => a.name.value === 'first')?.value,
            variables,
          );
          const hasPaging = selection.arguments?.some(
            (a) => a.name.value === 'first' || a.name.value === 'after',
          );
          const factor = first ?? (hasPaging ? DEFAULT_PAGE : 1);
          walk(selection.selectionSet, level + 1, multiplier * Math.max(factor, 1), seen);
        }
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        walk(selection.selectionSet, level, multiplier, seen);
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (fragment && !seen.has(name))
          walk(fragment.selectionSet, level, multiplier, new Set([...seen, name]));
      }
    }
  };
  walk(operation.selectionSet, 1, 1, new Set());
  return { depth, aliases, cost };
}

export function checkLimits(shape: QueryShape, limits: QueryLimits): GraphQLError | null {
  const over = (what: string, value: number, max: number) =>
    new GraphQLError(`query: ${what} ${value} exceeds the limit of ${max}`, {
      // Thrown from a plugin hook, so Apollo would answer 500 without an explicit status: the client is at fault.
      extensions: { code: 'QUERY_TOO_COMPLEX', limit: what, value, max, http: { status: 400 } },
    });
  if (shape.depth > limits.maxDepth) return over('depth', shape.depth, limits.maxDepth);
  if (shape.aliases > limits.maxAliases) return over('aliases', shape.aliases, limits.maxAliases);
  if (shape.cost > limits.maxCost) return over('cost', shape.cost, limits.maxCost);
  return null;
}
