import { describe, expect, it } from 'vitest';
import { remindersDue } from '../src/care/rules.ts';
import { addShanghaiMonths } from '../src/time.ts';
import { days } from './support.ts';

const delivered = new Date('2025-01-15T02:00:00.000Z');
const at = (ms: number) => new Date(delivered.getTime() + ms);
const months = (n: number) => addShanghaiMonths(delivered, n);

function due(asOf: Date, facts: { mileageKm?: number; lastVisitAt?: Date } = {}) {
  return remindersDue(
    { deliveredAt: delivered, mileageKm: facts.mileageKm ?? null, lastVisitAt: facts.lastVisitAt ?? null },
    asOf,
  ).map((d) => ({ kind: d.kind, duePeriod: d.duePeriod, dueAt: d.dueAt.toISOString() }));
}

describe('care reminder rules', () => {
  it('sends tips on day 7 after delivery, and not once the first month is over', () => {
    expect(due(at(days(6)))).toEqual([]);
    expect(due(at(days(7)))).toEqual([
      { kind: 'DELIVERY_TIPS', duePeriod: 'D7', dueAt: at(days(7)).toISOString() },
    ]);
    expect(due(at(days(31)))).toEqual([]);
  });

  it('reminds of the first service 14 days before 6 months, or near 5,000 km, unless the car came in', () => {
    expect(due(new Date(months(6).getTime() - days(15)))).toEqual([]);
    expect(due(new Date(months(6).getTime() - days(14)))).toEqual([
      { kind: 'FIRST_MAINTENANCE', duePeriod: 'FIRST', dueAt: months(6).toISOString() },
    ]);
    const asOf = months(2);
    expect(due(asOf, { mileageKm: 4_600 })).toEqual([
      { kind: 'FIRST_MAINTENANCE', duePeriod: 'FIRST', dueAt: asOf.toISOString() },
    ]);
    expect(due(new Date(months(6).getTime() - days(1)), { lastVisitAt: months(5) })).toEqual([]);
  });

  it('reminds of periodic services every 12 months or 10,000 km after the first, once per period', () => {
    expect(due(new Date(months(18).getTime() - days(10)))).toEqual([
      { kind: 'PERIODIC_MAINTENANCE', duePeriod: 'P1', dueAt: months(18).toISOString() },
    ]);
    // 25,000 km reaches the second service (5,000 + 2 x 10,000) before its date.
    const asOf = months(14);
    expect(due(asOf, { mileageKm: 25_000 })).toEqual([
      { kind: 'PERIODIC_MAINTENANCE', duePeriod: 'P2', dueAt: asOf.toISOString() },
    ]);
    // A visit shortly before the due date counts as that service.
    expect(due(new Date(months(18).getTime() - days(10)), { lastVisitAt: months(17) })).toEqual([]);
  });

  it('warns 30 days before the warranty ends by date, or from 95,000 km, and never after', () => {
    const end = months(36);
    const near = new Date(end.getTime() - days(20));
    expect(due(near).filter((d) => d.kind === 'WARRANTY_EXPIRY')).toEqual([
      { kind: 'WARRANTY_EXPIRY', duePeriod: 'W', dueAt: end.toISOString() },
    ]);
    const early = months(20);
    expect(due(early, { mileageKm: 96_000 }).filter((d) => d.kind === 'WARRANTY_EXPIRY')).toEqual([
      { kind: 'WARRANTY_EXPIRY', duePeriod: 'W', dueAt: early.toISOString() },
    ]);
    expect(due(early, { mileageKm: 101_000 }).filter((d) => d.kind === 'WARRANTY_EXPIRY')).toEqual([]);
    expect(due(new Date(end.getTime() + days(1))).filter((d) => d.kind === 'WARRANTY_EXPIRY')).toEqual([]);
  });

  it('adds calendar months in Asia/Shanghai, clamping to the last day of the month', () => {
    // 2025-01-31 08:30 in Shanghai is 2025-01-31T00:30Z; one month later is Feb 28 in Shanghai.
    expect(addShanghaiMonths(new Date('2025-01-31T00:30:00.000Z'), 1).toISOString()).toBe(
      '2025-02-28T00:30:00.000Z',
    );
    // 2025-01-31 23:30 in Shanghai is still January there, though UTC says 15:30 on the 31st too.
    expect(addShanghaiMonths(new Date('2025-01-31T15:30:00.000Z'), 1).toISOString()).toBe(
      '2025-02-28T15:30:00.000Z',
    );
    // 2025-03-31 02:00 in Shanghai is 2025-03-30T18:00Z in UTC: the local day (31) decides.
    expect(addShanghaiMonths(new Date('2025-03-30T18:00:00.000Z'), 1).toISOString()).toBe(
      '2025-04-29T18:00:00.000Z',
    );
  });
});
