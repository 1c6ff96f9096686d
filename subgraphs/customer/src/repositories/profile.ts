import { anyOfPlaceholder, type Db, driverValues, preparedStatement } from '@cx/platform';
import { desc } from 'drizzle-orm';
import { type ConsentRow, consents, type IdentityRow, identities, type TagRow, tags } from '../db/schema.ts';

export async function findIdentitiesByCustomerIds(db: Db, ids: readonly string[]): Promise<IdentityRow[]> {
  if (ids.length === 0) return [];
  return preparedStatement(db, 'identitiesByCustomerIds', () =>
    db
      .select()
      .from(identities)
      .where(anyOfPlaceholder(identities.customerId, 'ids'))
      .orderBy(identities.kind, desc(identities.createdAt), identities.source, identities.valueKey),
  ).execute({ ids: driverValues(identities.customerId, ids) });
}

export async function findTagsByCustomerIds(db: Db, ids: readonly string[]): Promise<TagRow[]> {
  if (ids.length === 0) return [];
  return preparedStatement(db, 'tagsByCustomerIds', () =>
    db.select().from(tags).where(anyOfPlaceholder(tags.customerId, 'ids')).orderBy(tags.kind, tags.key),
  ).execute({ ids: driverValues(tags.customerId, ids) });
}

export async function findConsentsByCustomerIds(db: Db, ids: readonly string[]): Promise<ConsentRow[]> {
  if (ids.length === 0) return [];
  return preparedStatement(db, 'consentsByCustomerIds', () =>
    db.select().from(consents).where(anyOfPlaceholder(consents.customerId, 'ids')).orderBy(consents.purpose),
  ).execute({ ids: driverValues(consents.customerId, ids) });
}
