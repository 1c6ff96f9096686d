import { anyOf, anyOfPlaceholder, type Db, driverValues, type Page, preparedStatement } from '@cx/platform';
import { and, count, desc, eq, inArray, isNull, like, or, type SQL, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import {
  type CustomerRow,
  customers,
  dealerRelationships,
  type IdentityKey,
  identities,
} from '../db/schema.ts';
import { tagHolds } from '../segments/compile.ts';
import { afterCursor } from './cursor.ts';

export async function findCustomersByIds(db: Db, ids: readonly string[]): Promise<CustomerRow[]> {
  if (ids.length === 0) return [];
  return preparedStatement(db, 'customersByIds', () =>
    db.select().from(customers).where(anyOfPlaceholder(customers.id, 'ids')),
  ).execute({ ids: driverValues(customers.id, ids) });
}

export interface CustomerSearch {
  phone?: string;
  namePrefix?: string;
  city?: string;
  tag?: string;
  dealerCode?: string;
  /** Normalized identity keys any of which the customer must hold (phone, ID hash, external id...). */
  identity?: Pick<IdentityKey, 'kind' | 'valueKey'>[];
  /** Tags whose window has passed at this instant no longer match. */
  now: Date;
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Customers related to a dealer: the preferred dealer, or a relationship any merged member had. */
function relatedToDealer(db: Db, dealerCode: string): SQL {
  const member = alias(customers, 'member');
  return or(
    eq(customers.preferredDealerCode, dealerCode),
    inArray(
      customers.id,
      db
        .select({ root: sql<string>`coalesce(${member.mergedInto}, ${member.id})` })
        .from(dealerRelationships)
        .innerJoin(member, eq(member.id, dealerRelationships.customerId))
        .where(eq(dealerRelationships.dealerCode, dealerCode)),
    ),
  )!;
}

/** Which of these customers are related to the dealer (one statement, for row scope). */
export async function findCustomersRelatedToDealer(
  db: Db,
  dealerCode: string,
  ids: readonly string[],
): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .select({ id: customers.id })
    .from(customers)
    .where(and(anyOf(customers.id, ids), relatedToDealer(db, dealerCode)));
  return rows.map((r) => r.id);
}

/** Identities always belong to the surviving customer (merges move them), so no alias step is needed. */
function holdsIdentity(db: Db, keys: Pick<IdentityKey, 'kind' | 'valueKey'>[]): SQL {
  return inArray(
    customers.id,
    db
      .select({ id: identities.customerId })
      .from(identities)
      .where(or(...keys.map((k) => and(eq(identities.kind, k.kind), eq(identities.valueKey, k.valueKey))))),
  );
}

function searchCondition(db: Db, filter: CustomerSearch): SQL | undefined {
  return and(
    // Merged-away customers live on only as aliases of their survivor.
    isNull(customers.mergedInto),
    filter.phone ? eq(customers.phone, filter.phone) : undefined,
    filter.namePrefix ? like(customers.displayName, `${escapeLike(filter.namePrefix)}%`) : undefined,
    filter.city ? eq(customers.city, filter.city) : undefined,
    filter.tag ? tagHolds(db, filter.tag, filter.now) : undefined,
    filter.dealerCode ? relatedToDealer(db, filter.dealerCode) : undefined,
    filter.identity?.length ? holdsIdentity(db, filter.identity) : undefined,
  );
}

export async function searchCustomers(db: Db, filter: CustomerSearch, page: Page): Promise<CustomerRow[]> {
  const after = afterCursor(customers.createdAt, customers.id, page.after);
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
