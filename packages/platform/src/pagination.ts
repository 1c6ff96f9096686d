import {
  and,
  count,
  desc,
  eq,
  getTableColumns,
  inArray,
  lt,
  or,
  type Placeholder,
  type SQL,
  type SQLWrapper,
  sql,
} from 'drizzle-orm';
import { getTableConfig, type PgColumn, type PgTable } from 'drizzle-orm/pg-core';
import { anyOfPlaceholder, columnCastType, driverValues } from './anyOf.ts';
import type { Db } from './db.ts';
import { badInput } from './errors.ts';
import { preparedStatement } from './prepared.ts';

export const DEFAULT_PAGE_SIZE = 10;
export const MAX_PAGE_SIZE = 100;

export interface PageArgs {
  first?: number | null;
  after?: string | null;
}

/** Lists are ordered newest first with the id as tiebreak; a cursor holds both. */
export interface CursorValue {
  at: Date;
  id: string;
}

export interface Page {
  first: number;
  after: CursorValue | null;
}

export function encodeCursor(value: CursorValue): string {
  return Buffer.from(JSON.stringify([value.at.toISOString(), value.id])).toString('base64url');
}

export function decodeCursor(cursor: string, field = 'after'): CursorValue {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(parsed) &&
      parsed.length === 2 &&
      typeof parsed[0] === 'string' &&
      typeof parsed[1] === 'string'
    ) {
      const at = new Date(parsed[0]);
      if (!Number.isNaN(at.getTime())) return { at, id: parsed[1] };
    }
  } catch {
    // fall through to the error below
  }
  throw badInput(field, 'is not a cursor returned by this API', 'INVALID_CURSOR');
}

export function parsePageArgs(args: PageArgs): Page {
  const first = args.first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) {
    throw badInput('first', `must be between 0 and ${MAX_PAGE_SIZE}`, 'OUT_OF_RANGE');
  }
  return { first, after: args.after ? decodeCursor(args.after) : null };
}

export interface Edge<T> {
  cursor: string;
  node: T;
}

export interface Connection<T> {
  nodes: T[];
  edges: Edge<T>[];
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
  /** A thunk: graphql-js calls it only when the client selects totalCount. */
  totalCount: () => Promise<number>;
}

/** Builds a connection from rows fetched with limit first + 1 (the extra row signals a next page). */
export function toConnection<T>(
  rows: T[],
  page: Page,
  cursorOf: (row: T) => CursorValue,
  totalCount: () => Promise<number>,
): Connection<T> {
  const nodes = rows.slice(0, page.first);
  const edges = nodes.map((node) => ({ cursor: encodeCursor(cursorOf(node)), node }));
  return {
    nodes,
    edges,
    pageInfo: {
      hasNextPage: rows.length > page.first,
      hasPreviousPage: page.after !== null,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    totalCount,
  };
}

/** Describes a list that hangs off a parent key, ordered by (order desc, id desc). */
export interface KeyedListSpec {
  table: PgTable;
  parent: PgColumn;
  order: PgColumn;
  id: PgColumn;
  /** Extra filter, e.g. the caller's row scope. */
  where?: SQL;
  /** When one parent key stands for several stored keys (merged customer ids, events/customerAliases.ts). */
  expand?: ParentExpansion;
}

/** Maps stored parent keys to the requested parent they belong to, inside the one batched statement. */
export interface ParentExpansion {
  /** The requested parent a row belongs to. */
  key: SQL<string>;
  /** Rows belonging to any of these parents. */
  matching(parents: readonly string[]): SQL;
  /**
   * The stored keys to read pages of, each with the requested parent it belongs to, as a FROM item
   * `... as k(key, parent)`, given the requested parents as one array expression.
   */
  storedKeys(parents: SQL): SQL;
  /** `matching` with the parents as one array placeholder, so list statements are built once (prepared.ts). */
  placeholder?: {
    /** Names everything that shapes the expansion's SQL text. */
    shape: string;
    matching(name: string): SQL;
  };
}

function parentKeyOf(spec: KeyedListSpec): SQL | PgColumn {
  return spec.expand?.key ?? spec.parent;
}

function parentCondition(spec: KeyedListSpec, parents: readonly string[]): SQL {
  return spec.expand ? spec.expand.matching(parents) : inArray(spec.parent, [...parents]);
}

function afterCondition(spec: KeyedListSpec, after: CursorValue | null): SQL | undefined {
  if (!after) return undefined;
  return or(lt(spec.order, after.at), and(eq(spec.order, after.at), lt(spec.id, after.id)));
}

const tableKeys = new WeakMap<PgTable, string>();

function tableKey(table: PgTable): string {
  let key = tableKeys.get(table);
  if (key === undefined) {
    const { schema, name } = getTableConfig(table);
    key = schema ? `${schema}.${name}` : name;
    tableKeys.set(table, key);
  }
  return key;
}

/**
 * What shapes a list statement's text, or null when values do (a `where`, a cursor, an expansion
 * without a placeholder form): those statements are built per call.
 */
function statementShape(spec: KeyedListSpec, after: CursorValue | null): string | null {
  if (spec.where !== undefined || after !== null) return null;
  if (spec.expand && !spec.expand.placeholder) return null;
  return `${tableKey(spec.table)}|${spec.parent.name}|${spec.order.name}|${spec.id.name}|${spec.expand?.placeholder?.shape ?? ''}`;
}

/** The parent condition over the `parents` placeholder, and the placeholder's value. */
function parentPlaceholder(spec: KeyedListSpec): SQL {
  return spec.expand?.placeholder
    ? spec.expand.placeholder.matching('parents')
    : anyOfPlaceholder(spec.parent, 'parents');
}

function parentValues(spec: KeyedListSpec, parents: readonly string[]): unknown[] {
  return spec.expand ? [...parents] : driverValues(spec.parent, parents);
}

/** The requested parents as one array expression: a placeholder (prepared statements) or a parameter. */
function parentsArray(spec: KeyedListSpec, parents: readonly string[] | null): SQL {
  const cast = spec.expand ? 'uuid' : columnCastType(spec.parent);
  const value = parents === null ? sql.placeholder('parents') : sql.param(parentValues(spec, parents));
  return sql`${value}::${sql.raw(cast)}[]`;
}

/**
 * Each parent's first rows straight from its (parent, order, id) index, one LATERAL scan per stored
 * key with LIMIT, instead of ranking every row of every parent and joining the winners back by
 * primary key: on a large table that join was one more random index descent per row returned.
 * An expanded parent (merged customer ids) gets up to `limit` rows per stored key;
 * selectPagesByParent keeps the first `limit` of the merged, ordered rows.
 */
function pagesQuery(
  db: Db,
  spec: KeyedListSpec,
  parents: SQL,
  after: CursorValue | null,
  limit: Placeholder | number,
) {
  const keys = spec.expand
    ? spec.expand.storedKeys(parents)
    : sql`unnest(${parents}, ${parents}) as k(key, parent)`;
  const page = db
    .select()
    .from(spec.table)
    .where(and(sql`${spec.parent} = k.key`, spec.where, afterCondition(spec, after)))
    .orderBy(desc(spec.order), desc(spec.id))
    .limit(limit)
    .as('page');
  const row = rowFieldsOf(spec.table, page);
  return db
    .select({ row, parentKey: sql<string>`k.parent`.as('parent_key') })
    .from(keys)
    .innerJoinLateral(page, sql`true`)
    .orderBy(desc(row[fieldName(spec.table, spec.order)]!), desc(row[fieldName(spec.table, spec.id)]!));
}

/** A `select * from table ... as alias` subquery's fields, keyed like the table's own, so rows read through it decode as table rows. */
function rowFieldsOf(table: PgTable, subquery: unknown): Record<string, SQL.Aliased> {
  const fields = subquery as Record<string, SQLWrapper>;
  return Object.fromEntries(
    Object.keys(getTableColumns(table)).map((key) => [key, fields[key] as SQL.Aliased]),
  );
}

/** The table's field name (its key in getTableColumns) for one of its columns. */
function fieldName(table: PgTable, column: PgColumn): string {
  const name = Object.entries(getTableColumns(table)).find(([, c]) => c === column)?.[0];
  if (name === undefined) throw new Error(`column ${column.name} is not a column of ${tableKey(table)}`);
  return name;
}

function countsQuery(db: Db, spec: KeyedListSpec, parentsCondition: SQL) {
  const parentKey = parentKeyOf(spec);
  return db
    .select({ parentKey: sql<string>`${parentKey}`, n: count() })
    .from(spec.table)
    .where(and(parentsCondition, spec.where))
    .groupBy(parentKey);
}

/**
 * One statement for the first page of many parents (a LATERAL index scan per parent, see
 * pagesQuery), so a 360 query with 20 vehicles costs the same number of statements as one with 1.
 */
export async function selectPagesByParent<TRow>(
  db: Db,
  spec: KeyedListSpec,
  parents: readonly string[],
  page: Page,
): Promise<Map<string, TRow[]>> {
  const grouped = new Map<string, TRow[]>(parents.map((p) => [p, []]));
  if (parents.length === 0 || page.first === 0) return grouped;
  const shape = statementShape(spec, page.after);
  const distinct = [...new Set(parents)];
  const rows = (shape
    ? await preparedStatement(db, `pages|${shape}`, () =>
        pagesQuery(db, spec, parentsArray(spec, null), null, sql.placeholder('limit')),
      ).execute({ parents: parentValues(spec, distinct), limit: page.first + 1 })
    : await pagesQuery(db, spec, parentsArray(spec, distinct), page.after, page.first + 1)) as unknown as {
    row: TRow;
    parentKey: string;
  }[];
  // Rows come newest first; a parent with merged members can have `limit` rows per member.
  for (const { row, parentKey } of rows) {
    const own = grouped.get(String(parentKey));
    if (own && own.length <= page.first) own.push(row);
  }
  return grouped;
}

export async function countByParent(
  db: Db,
  spec: KeyedListSpec,
  parents: readonly string[],
): Promise<Map<string, number>> {
  const counts = new Map<string, number>(parents.map((p) => [p, 0]));
  if (parents.length === 0) return counts;
  const shape = statementShape(spec, null);
  const rows = shape
    ? await preparedStatement(db, `counts|${shape}`, () =>
        countsQuery(db, spec, parentPlaceholder(spec)),
      ).execute({ parents: parentValues(spec, parents) })
    : await countsQuery(db, spec, parentCondition(spec, parents));
  for (const r of rows) counts.set(String(r.parentKey), Number(r.n));
  return counts;
}
