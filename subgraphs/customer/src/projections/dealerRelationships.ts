import type { Db } from '@cx/platform';
import { sql } from 'drizzle-orm';
import { dealerRelationships } from '../db/schema.ts';

export interface DealerRelationship {
  customerId: string;
  dealerCode: string;
  /** What tied them: LEAD, PURCHASE, SERVICE, ... */
  kind: string;
  at: Date;
}

/**
 * Upserts the local projection of customer-dealer relationships (fed by sales and service
 * events) that `customers(filter: { dealerCode })` searches; one statement per batch.
 */
export async function upsertDealerRelationships(db: Db, rows: DealerRelationship[]): Promise<void> {
  if (rows.length === 0) return;
  const latest = new Map<string, DealerRelationship>();
  for (const r of rows) {
    const key = `${r.customerId}|${r.dealerCode}|${r.kind}`;
    const prev = latest.get(key);
    if (!prev || prev.at < r.at) latest.set(key, r);
  }
  await db
    .insert(dealerRelationships)
    .values(
      [...latest.values()].map((r) => ({
        customerId: r.customerId,
        dealerCode: r.dealerCode,
        kind: r.kind,
        lastSeenAt: r.at,
      })),
    )
    .onConflictDoUpdate({
      target: [dealerRelationships.customerId, dealerRelationships.dealerCode, dealerRelationships.kind],
      set: { lastSeenAt: sql`greatest(${dealerRelationships.lastSeenAt}, excluded.last_seen_at)` },
    });
}
