import type { CursorValue } from '@cx/platform';
import { and, eq, lt, or, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';

/** Keyset condition for "newest first, id as tiebreak" lists: rows strictly after the cursor. */
export function afterCursor(order: PgColumn, id: PgColumn, after: CursorValue | null): SQL | undefined {
  if (!after) return undefined;
  return or(lt(order, after.at), and(eq(order, after.at), lt(id, after.id)));
}
