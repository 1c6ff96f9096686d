import type { Db } from '@cx/platform';
import { and, eq, inArray, lt, or, type SQL } from 'drizzle-orm';
import {
  type ComplaintRow,
  type ComplaintSlaPolicyRow,
  complaintSlaPolicies,
  complaints,
} from '../db/schema.ts';

export async function findComplaintsByIds(db: Db, ids: readonly string[]): Promise<ComplaintRow[]> {
  if (ids.length === 0) return [];
  return db
    .select()
    .from(complaints)
    .where(inArray(complaints.id, [...ids]));
}

export async function lockComplaint(db: Db, id: string): Promise<ComplaintRow | null> {
  const [row] = await db.select().from(complaints).where(eq(complaints.id, id)).for('update');
  return row ?? null;
}

/** Deadlines are left out: the complaints_sla_deadlines trigger sets them from the policy. */
export async function insertComplaint(db: Db, row: typeof complaints.$inferInsert): Promise<ComplaintRow> {
  const [inserted] = await db.insert(complaints).values(row).returning();
  return inserted!;
}

export async function updateComplaint(
  db: Db,
  id: string,
  change: Partial<typeof complaints.$inferInsert>,
): Promise<ComplaintRow> {
  const [row] = await db.update(complaints).set(change).where(eq(complaints.id, id)).returning();
  return row!;
}

/**
 * Complaints past a deadline at `now` and still waiting for the step it was set for: not
 * acknowledged by acknowledgeDueAt, or not resolved by resolveDueAt (always the later one).
 */
export function breachingAt(now: Date): SQL {
  return or(
    and(eq(complaints.status, 'OPEN'), lt(complaints.acknowledgeDueAt, now)),
    and(eq(complaints.status, 'ACKNOWLEDGED'), lt(complaints.resolveDueAt, now)),
  )!;
}

export async function listSlaPolicies(db: Db): Promise<ComplaintSlaPolicyRow[]> {
  return db.select().from(complaintSlaPolicies).orderBy(complaintSlaPolicies.severity);
}

export async function updateSlaPolicy(
  db: Db,
  row: Omit<ComplaintSlaPolicyRow, 'updatedAt'> & { updatedAt: Date },
): Promise<ComplaintSlaPolicyRow> {
  const { severity, ...change } = row;
  const [saved] = await db
    .update(complaintSlaPolicies)
    .set(change)
    .where(eq(complaintSlaPolicies.severity, severity))
    .returning();
  return saved!;
}
