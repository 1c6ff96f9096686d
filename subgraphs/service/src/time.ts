/** Business periods use Asia/Shanghai, which has had no daylight saving time since 1991. */
const SHANGHAI_OFFSET_MS = 8 * 3_600_000;
export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/** Minutes since local midnight in Shanghai. */
export function shanghaiMinuteOfDay(at: Date): number {
  return Math.floor(((at.getTime() + SHANGHAI_OFFSET_MS) % DAY_MS) / MINUTE_MS);
}

/** The Shanghai calendar day, as the UTC instant of its local midnight. */
export function shanghaiDayStart(at: Date): Date {
  const local = at.getTime() + SHANGHAI_OFFSET_MS;
  return new Date(local - (local % DAY_MS) - SHANGHAI_OFFSET_MS);
}

/** Calendar months in Shanghai, clamped to the month's last day (Jan 31 + 1 month = Feb 28/29). */
export function addShanghaiMonths(at: Date, months: number): Date {
  const local = new Date(at.getTime() + SHANGHAI_OFFSET_MS);
  const day = local.getUTCDate();
  local.setUTCDate(1);
  local.setUTCMonth(local.getUTCMonth() + months);
  const lastDay = new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth() + 1, 0)).getUTCDate();
  local.setUTCDate(Math.min(day, lastDay));
  return new Date(local.getTime() - SHANGHAI_OFFSET_MS);
}

/** "HH:MM" to minutes after midnight, or null when malformed. */
export function parseClock(value: string): number | null {
  const match = /^([01]\d|2[0-4]):([0-5]\d)$/.exec(value.trim());
  if (!match) return null;
  const minutes = Number(match[1]) * 60 + Number(match[2]);
  return minutes <= 24 * 60 ? minutes : null;
}

export function formatClock(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}
