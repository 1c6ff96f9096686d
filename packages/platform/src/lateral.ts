import { getTableColumns, type SQL, type SQLWrapper } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';

/**
 * A `select * from table ... as alias` subquery's fields, keyed like the table's own, so a
 * statement that reads rows through it (a LATERAL join) gets them decoded as table rows.
 */
export function rowFieldsOf(table: PgTable, subquery: unknown): Record<string, SQL.Aliased> {
  const fields = subquery as Record<string, SQLWrapper>;
  return Object.fromEntries(
    Object.keys(getTableColumns(table)).map((key) => [key, fields[key] as SQL.Aliased]),
  );
}
