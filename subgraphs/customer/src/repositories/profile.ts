import type { Db } from '@cx/platform';
import { desc, inArray } from 'drizzle-orm';
import { type ConsentRow, consents, type IdentityRow, identities, type TagRow, tags } from '../db/schema.ts';

export async function findIdentitiesByCustomerIds(db: Db, ids: readonly string[]): Promise<IdentityRow[]> {
  if (ids.length === 0) return [];
  return db
    .select()
    .from(identities)
    .where(inArray(identities.customerId, [...ids]))
    .orderBy(identities.kind, desc(identities.createdAt), desc(identities.id));
}

export async function findTagsByCustomerIds(db: Db, ids: readonly string[]): Promise<TagRow[]> {
  if (ids.length === 0) return [];
  return db
    .select()
    .from(tags)
    .where(inArray(tags.customerId, [...ids]))
    .orderBy(tags.kind, tags.key);
}

export async function findConsentsByCustomerIds(db: Db, ids: readonly string[]): Promise<ConsentRow[]> {
  if (ids.length === 0) return [];
  return db
    .select()
    .from(consents)
    .where(inArray(consents.customerId, [...ids]))
    .orderBy(consents.purpose);
}
