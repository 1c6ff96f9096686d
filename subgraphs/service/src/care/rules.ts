import type { CareReminderRow } from '../db/schema.ts';
import { addShanghaiMonths, DAY_MS } from '../time.ts';
import { WARRANTY_KM, WARRANTY_MONTHS, warrantyEndsAt } from '../warranty/terms.ts';

export type CareReminderKind = CareReminderRow['kind'];

/** The maintenance plan: first service at 6 months or 5,000 km, then every 12 months or 10,000 km. */
export const FIRST_SERVICE = { months: 6, km: 5_000 };
export const SERVICE_INTERVAL = { months: 12, km: 10_000 };
/** Reminders go out this long before a date and this far before a distance is reached. */
export const LEAD_DAYS = 14;
export const LEAD_KM = 500;
/** Tips are sent 7 days after delivery, and not at all once the first month is over. */
export const TIPS_AFTER_DAYS = 7;
export const TIPS_UNTIL_DAYS = 30;
export const WARRANTY_NOTICE_DAYS = 30;
export const WARRANTY_NOTICE_KM = 5_000;
/** A visit this close to a periodic due date counts as that period's service. */
export const VISIT_COVERS_DAYS = 60;

export interface VehicleCareFacts {
  deliveredAt: Date;
  mileageKm: number | null;
  /** The latest non-cancelled visit, if any. */
  lastVisitAt: Date | null;
}

export interface ReminderDraft {
  kind: CareReminderKind;
  /** Which occurrence: the unique (vin, kind, duePeriod) makes each fire once. */
  duePeriod: string;
  dueAt: Date;
  reason: string;
}

const km = (n: number) => `${n.toLocaleString('en-US')} km`;

function periodicDueDate(deliveredAt: Date, n: number): Date {
  return addShanghaiMonths(deliveredAt, FIRST_SERVICE.months + n * SERVICE_INTERVAL.months);
}

type Rule = (facts: VehicleCareFacts, asOf: Date) => ReminderDraft | null;

const lead = LEAD_DAYS * DAY_MS;
const odometerOf = (facts: VehicleCareFacts) => facts.mileageKm ?? 0;

const deliveryTips: Rule = ({ deliveredAt }, asOf) => {
  const dueAt = new Date(deliveredAt.getTime() + TIPS_AFTER_DAYS * DAY_MS);
  const stale = deliveredAt.getTime() + TIPS_UNTIL_DAYS * DAY_MS;
  if (asOf < dueAt || asOf.getTime() >= stale) return null;
  const reason = `${TIPS_AFTER_DAYS} days since delivery: tips for the new owner`;
  return { kind: 'DELIVERY_TIPS', duePeriod: 'D7', dueAt, reason };
};

/** The periodic service a vehicle has reached: the highest period reached by date or by distance. */
function periodReached(facts: VehicleCareFacts, asOf: Date): { period: number; byKm: boolean } {
  let byDate = 0;
  while (periodicDueDate(facts.deliveredAt, byDate + 1).getTime() - lead <= asOf.getTime()) byDate += 1;
  const km = Math.floor((odometerOf(facts) + LEAD_KM - FIRST_SERVICE.km) / SERVICE_INTERVAL.km);
  const byKm = Math.max(0, km);
  return { period: Math.max(byDate, byKm), byKm: byKm >= byDate && byKm > 0 };
}

/** Until the first periodic service is due, and only if the car has not been in since delivery. */
const firstMaintenance: Rule = (facts, asOf) => {
  const odometer = odometerOf(facts);
  const dueDate = addShanghaiMonths(facts.deliveredAt, FIRST_SERVICE.months);
  const visited = facts.lastVisitAt !== null && facts.lastVisitAt >= facts.deliveredAt;
  const byKm = odometer >= FIRST_SERVICE.km - LEAD_KM;
  if (periodReached(facts, asOf).period > 0 || visited) return null;
  if (!byKm && asOf.getTime() < dueDate.getTime() - lead) return null;
  return {
    kind: 'FIRST_MAINTENANCE',
    duePeriod: 'FIRST',
    dueAt: byKm && asOf < dueDate ? asOf : dueDate,
    reason: byKm
      ? `${km(odometer)} on the clock: first service due at ${km(FIRST_SERVICE.km)}`
      : `${FIRST_SERVICE.months} months since delivery: first service due`,
  };
};

/** The current period only; a visit close to its due date counts as that service. */
const periodicMaintenance: Rule = (facts, asOf) => {
  const { period, byKm } = periodReached(facts, asOf);
  if (period === 0) return null;
  const dateDue = periodicDueDate(facts.deliveredAt, period);
  const dueAt = byKm && dateDue > asOf ? asOf : dateDue;
  const coveredSince = dueAt.getTime() - VISIT_COVERS_DAYS * DAY_MS;
  if (facts.lastVisitAt !== null && facts.lastVisitAt.getTime() >= coveredSince) return null;
  return {
    kind: 'PERIODIC_MAINTENANCE',
    duePeriod: `P${period}`,
    dueAt,
    reason: byKm
      ? `${km(odometerOf(facts))} on the clock: service ${period} due at ${km(FIRST_SERVICE.km + period * SERVICE_INTERVAL.km)}`
      : `service ${period} due ${FIRST_SERVICE.months + period * SERVICE_INTERVAL.months} months after delivery`,
  };
};

const warrantyExpiry: Rule = (facts, asOf) => {
  const odometer = odometerOf(facts);
  const end = warrantyEndsAt(facts.deliveredAt);
  const nearByDate = asOf.getTime() >= end.getTime() - WARRANTY_NOTICE_DAYS * DAY_MS;
  const nearByKm = odometer >= WARRANTY_KM - WARRANTY_NOTICE_KM && odometer < WARRANTY_KM;
  if (asOf >= end || !(nearByDate || nearByKm)) return null;
  return {
    kind: 'WARRANTY_EXPIRY',
    duePeriod: 'W',
    dueAt: nearByDate ? end : asOf,
    reason: nearByDate
      ? `the ${WARRANTY_MONTHS}-month warranty ends on ${end.toISOString().slice(0, 10)}`
      : `${km(odometer)} on the clock: the warranty ends at ${km(WARRANTY_KM)}`,
  };
};

const rules: readonly Rule[] = [deliveryTips, firstMaintenance, periodicMaintenance, warrantyExpiry];

/**
 * The reminders due for one vehicle as of a date. Pure: generation and tests share it. Each rule
 * yields at most one draft, for the current period only, so a vehicle added late is not flooded
 * with reminders for periods long gone.
 */
export function remindersDue(facts: VehicleCareFacts, asOf: Date): ReminderDraft[] {
  return rules.flatMap((rule) => rule(facts, asOf) ?? []);
}
