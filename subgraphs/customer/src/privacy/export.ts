import type { Db, PiiCipher } from '@cx/platform';
import { exportSection } from '@cx/platform';
import { eq, inArray, or } from 'drizzle-orm';
import {
  consentHistory,
  consents,
  customerEvents,
  customerFacts,
  customers,
  dealerRelationships,
  identities,
  mergeRecords,
  sourceRecords,
  tags,
} from '../db/schema.ts';
import { findErasuresByCustomers, findStepsByErasures } from './repositories.ts';

/** The root of a person's merge tree and the ids merged into it, or null for an unknown id. */
export async function exportSubject(
  db: Db,
  customerId: string,
): Promise<{ customerId: string; mergedCustomerIds: string[] } | null> {
  const [row] = await db.select().from(customers).where(eq(customers.id, customerId));
  if (!row) return null;
  const root = row.mergedInto ?? row.id;
  const members = await db.select({ id: customers.id }).from(customers).where(eq(customers.mergedInto, root));
  return { customerId: root, mergedCustomerIds: members.map((m) => m.id) };
}

/**
 * The customer section of a PIPL export (CustomerDataExport.customerData): { schemaVersion: 1,
 * subgraph: "customer", customerIds, generatedAt, tables: { customers (unmasked, national ID
 * decrypted), identities, sourceRecords, tags, consents, consentHistory, events, facts,
 * dealerRelationships, merges, erasures, erasureSteps } }.
 */
export async function customerExport(db: Db, pii: PiiCipher, ids: string[]) {
  const [
    profiles,
    held,
    records,
    tagRows,
    consentRows,
    history,
    events,
    facts,
    relationships,
    merges,
    erased,
  ] = await Promise.all([
    db.select().from(customers).where(inArray(customers.id, ids)),
    db.select().from(identities).where(inArray(identities.customerId, ids)),
    db.select().from(sourceRecords).where(inArray(sourceRecords.customerId, ids)),
    db.select().from(tags).where(inArray(tags.customerId, ids)),
    db.select().from(consents).where(inArray(consents.customerId, ids)),
    db.select().from(consentHistory).where(inArray(consentHistory.customerId, ids)),
    db.select().from(customerEvents).where(inArray(customerEvents.customerId, ids)),
    db.select().from(customerFacts).where(inArray(customerFacts.customerId, ids)),
    db.select().from(dealerRelationships).where(inArray(dealerRelationships.customerId, ids)),
    db
      .select()
      .from(mergeRecords)
      .where(or(inArray(mergeRecords.survivorId, ids), inArray(mergeRecords.mergedId, ids))),
    findErasuresByCustomers(db, ids),
  ]);
  const steps = await findStepsByErasures(
    db,
    erased.map((e) => e.id),
  );
  return exportSection('customer', ids, {
    customers: profiles.map(({ nationalIdCipher, ...profile }) => ({
      ...profile,
      nationalId: nationalIdCipher ? pii.decrypt(nationalIdCipher) : null,
    })),
    identities: held,
    sourceRecords: records,
    tags: tagRows,
    consents: consentRows,
    consentHistory: history,
    events,
    facts,
    dealerRelationships: relationships,
    merges,
    erasures: erased,
    erasureSteps: steps,
  });
}
