import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';

function parseDate(value: unknown): Date {
  if (typeof value !== 'string') throw new GraphQLError('DateTime must be an ISO 8601 string');
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new GraphQLError(`DateTime cannot parse '${value}'`);
  return date;
}

export const DateTime = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  serialize(value) {
    const date = value instanceof Date ? value : new Date(String(value));
    if (Number.isNaN(date.getTime())) throw new GraphQLError('DateTime cannot serialize an invalid date');
    return date.toISOString();
  },
  parseValue: parseDate,
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw new GraphQLError('DateTime must be a string literal');
    return parseDate(ast.value);
  },
});

/** Money as a decimal string; amounts are stored in Postgres numeric columns. */
export function money(
  amount: string | number | null | undefined,
  currency = 'CNY',
): { amount: string; currency: string } {
  const n = Number(amount ?? 0);
  return { amount: n.toFixed(2), currency };
}

function literalValue(ast: ValueNode): unknown {
  switch (ast.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
    case Kind.ENUM:
      return ast.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(ast.value);
    case Kind.LIST:
      return ast.values.map(literalValue);
    case Kind.OBJECT:
      return Object.fromEntries(ast.fields.map((f) => [f.name.value, literalValue(f.value)]));
    default:
      return null;
  }
}

/** Free-form JSON documents (e.g. the PIPL export sections); their shape is documented where they are built. */
export const JSONScalar = new GraphQLScalarType<unknown, unknown>({
  name: 'JSON',
  // Dates and other non-JSON values become what JSON.stringify makes of them (ISO strings).
  serialize: (value) => JSON.parse(JSON.stringify(value ?? null)),
  parseValue: (value) => value,
  parseLiteral: literalValue,
});
