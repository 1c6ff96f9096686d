import type { Db, Page } from '@cx/platform';
import { and, count, desc, eq, exists, inArray, isNull, like, lt, or, type SQL } from 'drizzle-orm';
import { type CustomerRow, customers, tags } from '../db/schema.ts';

export async function findCustomersByIds(db: Db, ids: readonly string[]): Promise<CustomerRow[]> {
  if (ids.length === 0) return [];
  return db
    .select()
    .from(customers)
    .where(inArray(customers.id, [...ids]));
}

export interface CustomerSearch {
  phone?: string;
  namePrefix?: string;
  city?: string;
  tag?: string;
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

function searchCondition(db: Db, filter: CustomerSearch): SQL | undefined {
  return and(
    // Merged-away customers live on only as aliases of their survivor.
    isNull(customers.mergedInto),
    filter.phone ? eq(customers.phone, filter.phone) : undefined,
    filter.namePrefix ? like(customers.displayName, `${escapeLike(filter.namePrefix)}%`) : undefined,
    filter.city ? eq(customers.city, filter.city) : undefined,
    filter.tag
      ? exists(
          db
            .select({ key: tags.key })
            .from(tags)
            .where(and(eq(tags.customerId, customers.id), eq(tags.key, filter.tag))),
        )
      : undefined,
  );
}

export async function searchCustomers(db: Db, filter: CustomerSearch, page: Page): Promise<CustomerRow[]> {
  const after = page.after
    ? or(
        lt(customers.createdAt, page.after.at),
        and(eq(customers.createdAt, page.after.at), lt(customers.id, page.after.id)),
      )
    : undefined;
  return db
    .select()
    .from(customers)
    .where(and(searchCondition(db, filter), after))
    .orderBy(desc(customers.createdAt), desc(customers.id))
    .limit(page.first + 1);
}

export async function countCustomers(db: Db, filter: CustomerSearch): Promise<number> {
  const [row] = await db.select({ n: count() }).from(customers).where(searchCondition(db, filter));
  return Number(row?.n ?? 0);
}
