import type { WorkingHours } from '../db/schema.ts';

/** Dealers work on China Standard Time, which has no daylight saving: a fixed +08:00. */
const SHANGHAI_OFFSET_MS = 8 * 60 * 60 * 1000;
const hhmm = /^([01]\d|2[0-3]):([0-5]\d)$/;

function minutesOf(text: string): number | null {
  const m = hhmm.exec(text);
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
}

/** Why the hours are invalid, or null: ISO weekdays 1..7 and "HH:MM" with start before end. */
export function workingHoursProblem(hours: WorkingHours): string | null {
  if (hours.days.length === 0 || hours.days.some((d) => !Number.isInteger(d) || d < 1 || d > 7))
    return 'days must be ISO weekdays 1 (Monday) to 7 (Sunday)';
  const start = minutesOf(hours.start);
  const end = minutesOf(hours.end);
  if (start === null || end === null) return 'start and end must be HH:MM';
  if (start >= end) return 'start must be before end';
  return null;
}

/** Whether `at` falls inside the weekly hours (Asia/Shanghai); no hours recorded means always. */
export function isWithinWorkingHours(hours: WorkingHours | null | undefined, at: Date): boolean {
  if (!hours) return true;
  const local = new Date(at.getTime() + SHANGHAI_OFFSET_MS);
  const weekday = local.getUTCDay() === 0 ? 7 : local.getUTCDay();
  if (!hours.days.includes(weekday)) return false;
  const minute = local.getUTCHours() * 60 + local.getUTCMinutes();
  const start = minutesOf(hours.start);
  const end = minutesOf(hours.end);
  return start !== null && end !== null && minute >= start && minute < end;
}
