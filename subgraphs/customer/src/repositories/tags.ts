import { anyOf, type Db, fromExcluded, insertRows } from '@cx/platform';
import { and, eq, gt, like, max } from 'drizzle-orm';
import { customerEvents, customerFacts, tags } from '../db/schema.ts';
import type { TagDraft } from '../tags/types.ts';

/** The latest occurrence per (customer, kind, subject) since `since`: all a windowed rule needs. */
export async function findLatestEvents(db: Db, customerIds: readonly string[], since: Date) {
  if (customerIds.length === 0) return [];
  return db
    .select({
      customerId: customerEvents.customerId,
      kind: customerEvents.kind,
      subject: customerEvents.subject,
      occurredAt: max(customerEvents.occurredAt).mapWith((v: string | Date) => new Date(v)),
    })
    .from(customerEvents)
    .where(and(anyOf(customerEvents.customerId, customerIds), gt(customerEvents.occurredAt, since)))
    .groupBy(customerEvents.customerId, customerEvents.kind, customerEvents.subject);
}

export async function findFacts(db: Db, customerIds: readonly string[]) {
  if (customerIds.length === 0) return [];
  return db.select().from(customerFacts).where(anyOf(customerFacts.customerId, customerIds));
}

/** Owned-brand tags written before the facts projection knew the brands (e.g. the demo seed). */
export async function findOwnedBrandTags(db: Db, customerIds: readonly string[]) {
  if (customerIds.length === 0) return [];
  return db
    .select({ customerId: tags.customerId, key: tags.key })
    .from(tags)
    .where(and(anyOf(tags.customerId, customerIds), eq(tags.kind, 'FACT'), like(tags.key, 'owns:%')));
}

/**
 * Replaces every tag of these customers with the given ones: two statements, whatever the count
 * (three with `fresh` customers, created in the caller's transaction: theirs are a plain insert).
 */
export async function replaceTags(
  db: Db,
  customerIds: readonly string[],
  rows: (TagDraft & { customerId: string })[],
  now: Date,
  fresh?: ReadonlySet<string>,
): Promise<void> {
  if (customerIds.length > 0) await db.delete(tags).where(anyOf(tags.customerId, customerIds));
  await insertRows(
    db,
    tags,
    rows,
    fresh && ((r) => fresh.has(r.customerId)),
    (rest) =>
      db
        .insert(tags)
        .select(rest)
        .onConflictDoUpdate({
          target: [tags.customerId, tags.key],
          set: fromExcluded(tags, ['label', 'kind', 'score', 'expiresAt', 'updatedAt']),
        }),
    { createdAt: now, updatedAt: now },
  );
}
