import type { Db } from '@cx/platform';
import { sql } from 'drizzle-orm';
import { customerFacts } from '../db/schema.ts';
import { findCustomersByIds } from '../repositories/customers.ts';
import { lockIdentityGraph } from '../repositories/merges.ts';
import { refreshTagsOf } from '../tags/refreshTags.ts';

/** The facts other subgraphs publish about a customer; a field left out keeps its stored value. */
export interface FactsUpdate {
  customerId: string;
  lastServiceAt?: Date | null;
  lastServiceMileageKm?: number | null;
  lastNpsScore?: number | null;
  lastNpsAt?: Date | null;
  openComplaints?: number;
  vehicleSince?: Date | null;
  mileageKm?: number | null;
  familyChangedAt?: Date | null;
  ownedBrands?: string[] | null;
}

type FactField = Exclude<keyof FactsUpdate, 'customerId'>;
const columnOf: Record<FactField, string> = {
  lastServiceAt: 'last_service_at',
  lastServiceMileageKm: 'last_service_mileage_km',
  lastNpsScore: 'last_nps_score',
  lastNpsAt: 'last_nps_at',
  openComplaints: 'open_complaints',
  vehicleSince: 'vehicle_since',
  mileageKm: 'mileage_km',
  familyChangedAt: 'family_changed_at',
  ownedBrands: 'owned_brands',
};

/**
 * Upserts the customer_facts projection (the event consumer calls this) and recomputes the
 * affected customers' tags: owned-brand fact tags and the predictive tags read these facts.
 * Rows are grouped by which fields they carry, one statement per group.
 */
export async function upsertCustomerFacts(db: Db, updates: FactsUpdate[], now: Date): Promise<void> {
  if (updates.length === 0) return;
  await db.transaction(async (tx) => {
    await lockIdentityGraph(tx);
    // Several updates for one customer fold into one, later fields winning: a row may be upserted once per statement.
    const folded = new Map<string, FactsUpdate>();
    for (const u of updates) {
      const given = Object.fromEntries(Object.entries(u).filter(([, v]) => v !== undefined));
      folded.set(u.customerId, { ...folded.get(u.customerId), ...given, customerId: u.customerId });
    }
    const groups = new Map<string, FactsUpdate[]>();
    for (const u of folded.values()) {
      const fields = (Object.keys(columnOf) as FactField[]).filter((f) => u[f] !== undefined).join(',');
      groups.set(fields, [...(groups.get(fields) ?? []), u]);
    }
    for (const [signature, rows] of groups) {
      const fields = signature ? (signature.split(',') as FactField[]) : [];
      const set = Object.fromEntries([
        ...fields.map((f) => [f, sql.raw(`excluded.${columnOf[f]}`)]),
        ['updatedAt', sql.raw('excluded.updated_at')],
      ]);
      await tx
        .insert(customerFacts)
        .values(rows.map((r) => ({ ...r, updatedAt: now })))
        .onConflictDoUpdate({ target: customerFacts.customerId, set });
    }
    const customers = await findCustomersByIds(tx, [...folded.keys()]);
    await refreshTagsOf(tx, [...new Set(customers.map((c) => c.mergedInto ?? c.id))], now);
  });
}
