import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { type DocumentNode, GraphQLError, Kind, type ValueNode, visit } from 'graphql';
import { isStorableText, UNSTORABLE_TEXT } from './domain/text.ts';

/** The path of the first string in a variables value that Postgres could not store, e.g. `input.records[3].name`. */
function findUnstorable(value: unknown, path: string): string | null {
  if (typeof value === 'string') return isStorableText(value) ? null : path;
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = findUnstorable(item, `${path}[${i}]`);
      if (found) return found;
    }
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const found = findUnstorable(item, path ? `${path}.${key}` : key);
      if (found) return found;
    }
  }
  return null;
}

function literalIsUnstorable(node: ValueNode): boolean {
  if (node.kind === Kind.STRING) return !isStorableText(node.value);
  if (node.kind === Kind.LIST) return node.values.some(literalIsUnstorable);
  if (node.kind === Kind.OBJECT) return node.fields.some((f) => literalIsUnstorable(f.value));
  return false;
}

/** The name of the first argument whose inline value holds unstorable text. */
function findUnstorableLiteral(document: DocumentNode): string | null {
  let found: string | null = null;
  visit(document, {
    Argument(node) {
      if (!found && literalIsUnstorable(node.value)) found = node.name.value;
    },
  });
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
          const field = findUnstorable(request.variables ?? {}, '') ?? findUnstorableLiteral(document);
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
