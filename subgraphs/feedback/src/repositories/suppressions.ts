import { type Db, type Page, toConnection } from '@cx/platform';
import { and, count, desc, eq, lt, or } from 'drizzle-orm';
import { type SuppressionReason, type SuppressionRow, suppressions } from '../db/schema.ts';

export async function insertSuppression(
  tx: Db,
  values: typeof suppressions.$inferInsert,
): Promise<SuppressionRow> {
  const [row] = await tx.insert(suppressions).values(values).returning();
  return row!;
}

/** Every customer's suppressions, newest first, optionally of one reason: the analysts' view. */
export async function pageSuppressions(db: Db, reason: SuppressionReason | null, page: Page) {
  const s = suppressions;
  const byReason = reason ? eq(s.reason, reason) : undefined;
  const after = page.after
    ? or(lt(s.suppressedAt, page.after.at), and(eq(s.suppressedAt, page.after.at), lt(s.id, page.after.id)))
    : undefined;
  const rows =
    page.first === 0
      ? []
      : await db
          .select()
          .from(s)
          .where(and(byReason, after))
          .orderBy(desc(s.suppressedAt), desc(s.id))
          .limit(page.first + 1);
  return toConnection(
    rows,
    page,
    (r) => ({ at: r.suppressedAt, id: r.id }),
    async () => {
      const [total] = await db.select({ n: count() }).from(s).where(byReason);
      return Number(total?.n ?? 0);
    },
  );
}
