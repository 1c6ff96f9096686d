/**
 * Rows of a raw `db.execute`: postgres.js returns an array, PGlite an object with `rows`.
 * Values are raw driver values (int8 may be a string or a number), so callers convert them.
 */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  const rows = (result as { rows?: unknown } | null)?.rows;
  return Array.isArray(rows) ? (rows as T[]) : [];
}
