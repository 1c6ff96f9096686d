import type { Db } from '@cx/platform';
import { and, count, eq, exists, gt, inArray, isNull, not, or, type SQL, sql } from 'drizzle-orm';
import { consents, customers, type SegmentExpression, tags } from '../db/schema.ts';

/** Any of these tags holds at `now` unless its window has passed: the same rule as Customer.tags. */
export function tagHolds(db: Db, key: string | string[], now: Date): SQL {
  return exists(
    db
      .select({ one: sql`1` })
      .from(tags)
      .where(
        and(
          eq(tags.customerId, customers.id),
          Array.isArray(key) ? inArray(tags.key, key) : eq(tags.key, key),
          or(isNull(tags.expiresAt), gt(tags.expiresAt, now)),
        ),
      ),
  );
}

/** The tag key an atom tests, if it is a tag test. */
function tagKeyOf(e: SegmentExpression): string | null {
  if ('tag' in e) return e.tag;
  if ('ownsBrand' in e) return `owns:${e.ownsBrand}`;
  return null;
}

/** OR of tag atoms becomes one EXISTS over `key in (...)`: one index probe instead of one per atom. */
function anyOf(db: Db, children: SegmentExpression[], now: Date): SQL {
  const keys = children.map(tagKeyOf).filter((k): k is string => k !== null);
  const rest = children.filter((c) => tagKeyOf(c) === null);
  const tagged = keys.length > 0 ? [tagHolds(db, keys.length === 1 ? keys[0]! : keys, now)] : [];
  return or(...tagged, ...rest.map((x) => segmentCondition(db, x, now)))!;
}

export function consentGranted(db: Db, purpose: (typeof consents.$inferSelect)['purpose']): SQL {
  return exists(
    db
      .select({ one: sql`1` })
      .from(consents)
      .where(
        and(eq(consents.customerId, customers.id), eq(consents.purpose, purpose), eq(consents.granted, true)),
      ),
  );
}

/**
 * Compiles a validated expression to one WHERE condition over `customers`: EXISTS probes on the
 * tags (key, customer_id, expires_at) and granted-consents indexes, and the city column. Count and
 * members use the same condition, so they always agree.
 */
export function segmentCondition(db: Db, e: SegmentExpression, now: Date): SQL {
  if ('and' in e) return and(...e.and.map((x) => segmentCondition(db, x, now)))!;
  if ('or' in e) return anyOf(db, e.or, now);
  if ('not' in e) return not(segmentCondition(db, e.not, now));
  if ('tag' in e) return tagHolds(db, e.tag, now);
  if ('ownsBrand' in e) return tagHolds(db, `owns:${e.ownsBrand}`, now);
  if ('city' in e) return eq(customers.city, e.city);
  return consentGranted(db, e.consent);
}

/** Only live customers are members; merged-away ids live on as aliases of their survivor. */
export function memberCondition(db: Db, e: SegmentExpression, now: Date, extra?: SQL): SQL {
  return and(isNull(customers.mergedInto), segmentCondition(db, e, now), extra)!;
}

/** The segment's size: one COUNT statement. The benchmark calls this. */
export async function countSegment(db: Db, e: SegmentExpression, now = new Date()): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(customers)
    .where(memberCondition(db, e, now));
  return Number(row?.n ?? 0);
}
