interface PgError {
  code?: string;
  constraint?: string;
  constraint_name?: string;
  cause?: unknown;
}

/**
 * True when a statement failed on the named unique index. Drizzle wraps the driver's error, and
 * postgres.js and PGlite name the constraint differently, so both levels and names are checked.
 */
export function isUniqueViolation(error: unknown, constraint: string): boolean {
  for (let e = error as PgError | undefined; e && typeof e === 'object'; e = e.cause as PgError | undefined) {
    if (e.code === '23505') return (e.constraint ?? e.constraint_name) === constraint;
  }
  return false;
}
