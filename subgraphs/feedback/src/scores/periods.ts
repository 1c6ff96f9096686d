import { badInput } from '@cx/platform';

export type PeriodUnit = 'WEEK' | 'MONTH' | 'QUARTER';

/**
 * Periods are calendar periods in Asia/Shanghai (DECISIONS.md). China has kept UTC+8 without
 * daylight saving since 1991, so a fixed offset is exact for every date we store; the rollup
 * trigger uses the named zone and a test pins both to the same boundaries.
 */
const SHANGHAI_OFFSET_MS = 8 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface PeriodRange {
  unit: PeriodUnit;
  /** 2026-W14, 2026-04 or 2026-Q2. */
  label: string;
  /** First instant of the period. */
  start: Date;
  /** First instant after the period. */
  end: Date;
  /** The Shanghai-local dates of start and end (yyyy-mm-dd), as the rollup keys periods. */
  startDate: string;
  endDate: string;
}

/** A Shanghai-local calendar date, held as midnight UTC of that date for plain arithmetic. */
const localDay = (at: Date) => {
  const shifted = new Date(at.getTime() + SHANGHAI_OFFSET_MS);
  return new Date(Date.UTC(shifted.getUTCFullYear(), shifted.getUTCMonth(), shifted.getUTCDate()));
};
const toInstant = (day: Date) => new Date(day.getTime() - SHANGHAI_OFFSET_MS);
const isoDate = (day: Date) => day.toISOString().slice(0, 10);
const pad = (n: number) => String(n).padStart(2, '0');

/** ISO 8601 week-numbering year and week of a local day: the week of its Thursday. */
export function isoWeekOf(day: Date): { year: number; week: number } {
  const thursday = new Date(day.getTime() + (3 - ((day.getUTCDay() + 6) % 7)) * DAY_MS);
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * DAY_MS)) + 1;
  return { year, week };
}

function range(unit: PeriodUnit, startDay: Date, endDay: Date, label: string): PeriodRange {
  return {
    unit,
    label,
    start: toInstant(startDay),
    end: toInstant(endDay),
    startDate: isoDate(startDay),
    endDate: isoDate(endDay),
  };
}

export function periodContaining(unit: PeriodUnit, at: Date): PeriodRange {
  if (Number.isNaN(at.getTime())) throw badInput('at', 'is not a valid instant', 'INVALID_DATE');
  const day = localDay(at);
  const year = day.getUTCFullYear();
  const month = day.getUTCMonth();
  switch (unit) {
    case 'WEEK': {
      const monday = new Date(day.getTime() - ((day.getUTCDay() + 6) % 7) * DAY_MS);
      const { year: weekYear, week } = isoWeekOf(monday);
      return range(unit, monday, new Date(monday.getTime() + 7 * DAY_MS), `${weekYear}-W${pad(week)}`);
    }
    case 'MONTH':
      return range(
        unit,
        new Date(Date.UTC(year, month, 1)),
        new Date(Date.UTC(year, month + 1, 1)),
        `${year}-${pad(month + 1)}`,
      );
    case 'QUARTER': {
      const first = Math.floor(month / 3) * 3;
      return range(
        unit,
        new Date(Date.UTC(year, first, 1)),
        new Date(Date.UTC(year, first + 3, 1)),
        `${year}-Q${first / 3 + 1}`,
      );
    }
  }
}

export function previousPeriod(period: PeriodRange): PeriodRange {
  return periodContaining(period.unit, new Date(period.start.getTime() - 1));
}

/** The quarter `2026-Q2` as a period, for callers (the bench) that name quarters. */
export function quarterPeriod(year: number, quarter: 1 | 2 | 3 | 4): PeriodRange {
  return periodContaining('QUARTER', toInstant(new Date(Date.UTC(year, (quarter - 1) * 3, 1))));
}
