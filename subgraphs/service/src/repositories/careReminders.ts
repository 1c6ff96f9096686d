import type { Db } from '@cx/platform';
import { eq } from 'drizzle-orm';
import { type CareReminderRow, careReminders } from '../db/schema.ts';

/** Inserts the reminders not generated before: the unique (vin, kind, due_period) skips the rest. */
export async function insertNewReminders(
  db: Db,
  rows: (typeof careReminders.$inferInsert)[],
): Promise<number> {
  if (rows.length === 0) return 0;
  const inserted = await db
    .insert(careReminders)
    .values(rows)
    .onConflictDoNothing({ target: [careReminders.vin, careReminders.kind, careReminders.duePeriod] })
    .returning({ id: careReminders.id });
  return inserted.length;
}

export async function lockCareReminder(db: Db, id: string): Promise<CareReminderRow | null> {
  const [row] = await db.select().from(careReminders).where(eq(careReminders.id, id)).for('update');
  return row ?? null;
}

export async function updateCareReminder(
  db: Db,
  id: string,
  change: Partial<typeof careReminders.$inferInsert>,
): Promise<CareReminderRow> {
  const [row] = await db.update(careReminders).set(change).where(eq(careReminders.id, id)).returning();
  return row!;
}
