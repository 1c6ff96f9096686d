import type { Db } from '@cx/platform';
import { asc, inArray } from 'drizzle-orm';
import { type LeadHandoffRow, leadHandoffs } from '../db/schema.ts';

/** Records the link; a repeated hand-off of the same order to the same lead changes nothing. */
export async function insertLeadHandoff(db: Db, row: typeof leadHandoffs.$inferInsert): Promise<void> {
  await db
    .insert(leadHandoffs)
    .values(row)
    .onConflictDoNothing({ target: [leadHandoffs.repairOrderId, leadHandoffs.leadId] });
}

/** The first hand-off of each lead: the repair order the opportunity came from. */
export async function findFirstHandoffsByLeadIds(
  db: Db,
  leadIds: readonly string[],
): Promise<LeadHandoffRow[]> {
  if (leadIds.length === 0) return [];
  return db
    .selectDistinctOn([leadHandoffs.leadId])
    .from(leadHandoffs)
    .where(inArray(leadHandoffs.leadId, [...leadIds]))
    .orderBy(leadHandoffs.leadId, asc(leadHandoffs.createdAt), asc(leadHandoffs.id));
}
