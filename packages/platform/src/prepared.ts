import type { Db } from './db.ts';

/** A query Drizzle has turned into SQL text once; each call only fills in the placeholders. */
export interface PreparedStatement<R> {
  execute(values?: Record<string, unknown>): Promise<R>;
}

interface Preparable<R> {
  prepare(name: string): PreparedStatement<R>;
}

const statementsByDb = new WeakMap<Db, Map<string, PreparedStatement<unknown>>>();

/**
 * The statement `key` names, built by `build` the first time this database handle asks for it.
 * Building a query's SQL text (Drizzle's `buildQueryFromSourceParams`, `buildSelection`, `is`)
 * cost the subgraphs a fifth of their CPU on the 360 query, for text that never changes. The key
 * must name everything that shapes the text; values go through `sql.placeholder`. On postgres.js
 * the statement is also a named prepared statement (unnamed behind PgBouncer, see db.ts).
 */
export function preparedStatement<R>(db: Db, key: string, build: () => Preparable<R>): PreparedStatement<R> {
  let statements = statementsByDb.get(db);
  if (!statements) {
    statements = new Map();
    statementsByDb.set(db, statements);
  }
  let statement = statements.get(key) as PreparedStatement<R> | undefined;
  if (!statement) {
    statement = build().prepare(key);
    statements.set(key, statement as PreparedStatement<unknown>);
  }
  return statement;
}
