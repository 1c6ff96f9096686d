import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { type DocumentNode, GraphQLError, Kind, type ValueNode, visit } from 'graphql';
import { isStorableText, UNSTORABLE_TEXT } from './domain/text.ts';

/**
 * The path of the first string in a variables value that Postgres could not store, e.g.
 * `input.records[3].name`, as segments from the innermost out. Paths are built only for a find:
 * a 1,000-record batch would otherwise format a path for every one of its strings.
 */
function findUnstorable(value: unknown): (string | number)[] | null {
  if (typeof value === 'string') return isStorableText(value) ? null : [];
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i += 1) {
      const found = findUnstorable(value[i]);
      if (found) return [...found, i];
    }
  } else if (value !== null && typeof value === 'object') {
    for (const key in value) {
      const found = findUnstorable((value as Record<string, unknown>)[key]);
      if (found) return [...found, key];
    }
  }
  return null;
}

const formatPath = (innermostFirst: (string | number)[]): string =>
  innermostFirst.reduceRight<string>(
    (path, segment) =>
      typeof segment === 'number' ? `${path}[${segment}]` : path ? `${path}.${segment}` : segment,
    '',
  );

function literalIsUnstorable(node: ValueNode): boolean {
  if (node.kind === Kind.STRING) return !isStorableText(node.value);
  if (node.kind === Kind.LIST) return node.values.some(literalIsUnstorable);
  if (node.kind === Kind.OBJECT) return node.fields.some((f) => literalIsUnstorable(f.value));
  return false;
}

const literalFinds = new WeakMap<DocumentNode, string | null>();

/**
 * The name of the first argument whose inline value holds unstorable text; per document, as
 * Apollo hands every request of a cached operation the same parsed document.
 */
function findUnstorableLiteral(document: DocumentNode): string | null {
  const known = literalFinds.get(document);
  if (known !== undefined) return known;
  let found: string | null = null;
  visit(document, {
    Argument(node) {
      if (!found && literalIsUnstorable(node.value)) found = node.name.value;
    },
  });
  literalFinds.set(document, found);
  return found;
}

/**
 * Text no Postgres column can hold (NUL, an unpaired surrogate) is refused like a type error,
 * before any resolver runs: anywhere else it would fail a statement and surface as a 500.
 */
export function storableTextPlugin<TContext extends BaseContext>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document }) {
          const inVariables = findUnstorable(request.variables ?? {});
          const field = inVariables ? formatPath(inVariables) : findUnstorableLiteral(document);
          if (field)
            throw new GraphQLError(`${field}: ${UNSTORABLE_TEXT.message}`, {
              extensions: {
                code: 'BAD_USER_INPUT',
                field,
                reason: UNSTORABLE_TEXT.code,
                http: { status: 400 },
              },
            });
        },
      };
    },
  };
}
