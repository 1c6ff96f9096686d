import { type Db, groupLoader, rowLoader } from '@cx/platform';
import { findCustomersByIds } from './repositories/customers.ts';
import {
  findConsentsByCustomerIds,
  findIdentitiesByCustomerIds,
  findTagsByCustomerIds,
} from './repositories/profile.ts';

/** Created per request, so batching and caching never leak between callers. */
export function createLoaders(db: Db) {
  return {
    customer: rowLoader(
      (ids: readonly string[]) => findCustomersByIds(db, ids),
      (c) => c.id,
    ),
    identities: groupLoader(
      (ids: readonly string[]) => findIdentitiesByCustomerIds(db, ids),
      (i) => i.customerId,
    ),
    tags: groupLoader(
      (ids: readonly string[]) => findTagsByCustomerIds(db, ids),
      (t) => t.customerId,
    ),
    consents: groupLoader(
      (ids: readonly string[]) => findConsentsByCustomerIds(db, ids),
      (c) => c.customerId,
    ),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
