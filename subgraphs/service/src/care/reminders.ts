import type { Db } from '@cx/platform';
import type { CareReminderRow } from '../db/schema.ts';
import { inputChecker } from '../inputs.ts';
import { insertNewReminders, lockCareReminder, updateCareReminder } from '../repositories/careReminders.ts';
import { findLastVisits, pageDeliveredVehicles } from '../repositories/vehicleFacts.ts';
import { moveLocked, type Transitions } from '../stateMachine.ts';
import { DAY_MS } from '../time.ts';
import { type Attribution, done, rejected, type StepResult, userError } from '../userErrors.ts';
import { remindersDue } from './rules.ts';

type ReminderStatus = CareReminderRow['status'];
const reminderTransitions: Transitions<ReminderStatus> = {
  PENDING: ['DONE', 'DISMISSED'],
  DONE: [],
  DISMISSED: [],
};

/** Vehicles per page of the scan: three statements per page, whatever the fleet size. */
export const SCAN_PAGE = 500;

export interface GenerateReport {
  vehiclesScanned: number;
  created: number;
}

/**
 * Generates every reminder due as of `asOf` across the delivered vehicles in vehicle_facts. A
 * scheduler calls this daily; running it again, for the same or a later date, never duplicates a
 * reminder (unique (vin, kind, due_period), insert-or-skip).
 */
export async function generateCareReminders(db: Db, asOf: Date, now: Date): Promise<GenerateReport> {
  const report: GenerateReport = { vehiclesScanned: 0, created: 0 };
  let afterVin: string | null = null;
  for (;;) {
    const page = await pageDeliveredVehicles(db, afterVin, SCAN_PAGE);
    if (page.length === 0) return report;
    afterVin = page.at(-1)!.vin;
    report.vehiclesScanned += page.length;
    const lastVisit = new Map(
      (
        await findLastVisits(
          db,
          page.map((f) => f.vin),
        )
      ).map((v) => [v.vin, v.lastVisitAt]),
    );
    const rows = page.flatMap((fact) =>
      remindersDue(
        {
          deliveredAt: fact.deliveredAt!,
          mileageKm: fact.mileageKm,
          lastVisitAt: lastVisit.get(fact.vin) ?? null,
        },
        asOf,
      ).map((draft) => ({
        ...draft,
        vin: fact.vin,
        customerId: fact.customerId,
        dealerCode: fact.dealerCode,
        createdAt: now,
      })),
    );
    report.created += await insertNewReminders(db, rows);
  }
}

/** Runs generation for a caller-given date; it may not lie ahead, or reminders would fire early. */
export async function generateCareRemindersAsOf(
  db: Db,
  input: { asOf: Date },
  by: Attribution,
): Promise<StepResult<GenerateReport>> {
  if (input.asOf.getTime() > by.now.getTime() + DAY_MS)
    return rejected(userError('asOf', 'DATE_IN_FUTURE', 'may be at most one day ahead'));
  return done(await generateCareReminders(db, input.asOf, by.now));
}

export interface CareReminderMarkInput {
  careReminderId: string;
  status: ReminderStatus;
}

/** Marks a pending reminder DONE (the customer came in) or DISMISSED (not relevant). */
export async function markCareReminder(
  db: Db,
  input: CareReminderMarkInput,
  by: Attribution,
): Promise<StepResult<CareReminderRow>> {
  return moveLocked(db, inputChecker(), {
    entity: 'care reminder',
    id: input.careReminderId,
    idField: 'careReminderId',
    to: input.status,
    toField: 'status',
    transitions: reminderTransitions,
    lock: lockCareReminder,
    apply: (tx, reminder) =>
      updateCareReminder(tx, reminder.id, { status: input.status, closedAt: by.now, closedBy: by.actor }),
  });
}
