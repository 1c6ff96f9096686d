import { anyOf, type Db } from '@cx/platform';
import { desc } from 'drizzle-orm';
import { type ConsentRow, consents, type IdentityRow, identities, type TagRow, tags } from '../db/schema.ts';

export async function findIdentitiesByCustomerIds(db: Db, ids: readonly string[]): Promise<IdentityRow[]> {
  if (ids.length === 0) return [];
  return db
    .select()
    .from(identities)
    .where(anyOf(identities.customerId, ids))
    .orderBy(identities.kind, desc(identities.createdAt), desc(identities.id));
}

export async function findTagsByCustomerIds(db: Db, ids: readonly string[]): Promise<TagRow[]> {
  if (ids.length === 0) return [];
  return db.select().from(tags).where(anyOf(tags.customerId, ids)).orderBy(tags.kind, tags.key);
}

export async function findConsentsByCustomerIds(db: Db, ids: readonly string[]): Promise<ConsentRow[]> {
  if (ids.length === 0) return [];
  return db.select().from(consents).where(anyOf(consents.customerId, ids)).orderBy(consents.purpose);
}
