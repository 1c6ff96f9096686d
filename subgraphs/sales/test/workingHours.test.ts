import { describe, expect, it } from 'vitest';
import { type CandidateDealer, chooseAssignment } from '../src/leads/assignment.ts';
import { isWithinWorkingHours, workingHoursProblem } from '../src/leads/workingHours.ts';
import { consultant } from './candidates.ts';

const weekdays = { days: [1, 2, 3, 4, 5], start: '09:00', end: '18:00' };
// 2026-03-02 is a Monday; Shanghai is UTC+8.
const mondayAt = (shanghaiTime: string) => new Date(`2026-03-02T${shanghaiTime}:00+08:00`);

describe('working hours', () => {
  it('checks the weekday and the window in Asia/Shanghai, end exclusive', () => {
    expect(isWithinWorkingHours(weekdays, mondayAt('09:00'))).toBe(true);
    expect(isWithinWorkingHours(weekdays, mondayAt('17:59'))).toBe(true);
    expect(isWithinWorkingHours(weekdays, mondayAt('18:00'))).toBe(false);
    expect(isWithinWorkingHours(weekdays, mondayAt('08:59'))).toBe(false);
    // 01:30 UTC on Sunday is 09:30 Sunday in Shanghai: not a working day.
    expect(isWithinWorkingHours(weekdays, new Date('2026-03-01T01:30:00Z'))).toBe(false);
    // 23:30 UTC on Sunday is already Monday 07:30 in Shanghai: a working day, before hours.
    expect(isWithinWorkingHours(weekdays, new Date('2026-03-01T23:30:00Z'))).toBe(false);
    expect(isWithinWorkingHours(null, mondayAt('03:00'))).toBe(true);
  });

  it('validates hours', () => {
    expect(workingHoursProblem(weekdays)).toBeNull();
    expect(workingHoursProblem({ days: [0], start: '09:00', end: '18:00' })).toMatch(/weekdays/);
    expect(workingHoursProblem({ days: [1], start: '9:00', end: '18:00' })).toMatch(/HH:MM/);
    expect(workingHoursProblem({ days: [1], start: '18:00', end: '09:00' })).toMatch(/before/);
  });
});

describe('assignment honours working hours', () => {
  const dealers: CandidateDealer[] = [
    { code: 'SH01', city: 'Shanghai', region: 'EAST' },
    { code: 'HZ01', city: 'Hangzhou', region: 'EAST' },
  ];
  const withHours = (id: string, dealerCode: string, hours: typeof weekdays | null) =>
    consultant(id, dealerCode, { workingHours: hours });
  const lead = { city: 'Shanghai', modelCode: null, preferredDealerCode: 'SH01' };
  const evenings = { days: [1, 2, 3, 4, 5, 6, 7], start: '18:00', end: '23:00' };

  it('skips rules whose consultants are all off hours, and says so in the reason', () => {
    const consultants = [withHours('sh', 'SH01', weekdays), withHours('hz', 'HZ01', evenings)];
    expect(chooseAssignment(lead, { dealers, consultants }, { now: mondayAt('10:00') })).toMatchObject({
      consultantId: 'sh',
      reason: 'PREFERRED_DEALER/LEAST_OPEN_LEADS',
    });
    expect(chooseAssignment(lead, { dealers, consultants }, { now: mondayAt('19:00') })).toMatchObject({
      consultantId: 'hz',
      reason: 'REGIONAL_POOL/LEAST_OPEN_LEADS/OFF_HOURS_SKIPPED:PREFERRED_DEALER+CITY_DEALER',
    });
  });

  it('prefers an on-hours consultant within the same dealer', () => {
    const consultants = [withHours('a', 'SH01', weekdays), withHours('b', 'SH01', null)];
    expect(chooseAssignment(lead, { dealers, consultants }, { now: mondayAt('20:00') })).toMatchObject({
      consultantId: 'b',
      reason: 'PREFERRED_DEALER/LEAST_OPEN_LEADS',
    });
  });

  it('assigns off hours when nobody anywhere is on hours, rather than leave the lead unowned', () => {
    const consultants = [withHours('sh', 'SH01', weekdays), withHours('hz', 'HZ01', weekdays)];
    expect(chooseAssignment(lead, { dealers, consultants }, { now: mondayAt('03:00') })).toMatchObject({
      consultantId: 'sh',
      reason: 'PREFERRED_DEALER/LEAST_OPEN_LEADS/OFF_HOURS',
    });
  });

  it('excludes given consultants (an SLA reassignment)', () => {
    const consultants = [consultant('sh', 'SH01'), consultant('hz', 'HZ01')];
    expect(
      chooseAssignment(lead, { dealers, consultants }, { excludeConsultantIds: ['sh'] })?.consultantId,
    ).toBe('hz');
  });
});
