import { describe, expect, it } from 'vitest';
import { bandOf, isDetractor, isInScale } from '../src/domain/scales.ts';
import { countScores, feedbackScore, noCounts, scoreValue } from '../src/scores/formulas.ts';
import { isoWeekOf, periodContaining, previousPeriod, quarterPeriod } from '../src/scores/periods.ts';

describe('score formulas against hand-computed fixtures', () => {
  it('NPS is % promoters (9-10) minus % detractors (0-6)', () => {
    // 5 promoters (10,10,9,9,10), 2 passives (8,7), 3 detractors (6,0,3): (5 - 3) / 10 = +20.
    const counts = countScores('NPS', [10, 10, 9, 8, 7, 6, 0, 3, 9, 10]);
    expect(counts).toEqual({ responses: 10, scoreSum: 72, favorable: 5, unfavorable: 3 });
    expect(scoreValue('NPS', counts)).toEqual({ score: 20, cesNet: null });
    // 1 promoter, 0 passives, 2 detractors: (1 - 2) / 3 = -33.333... -> -33.3.
    expect(scoreValue('NPS', countScores('NPS', [9, 6, 5])).score).toBe(-33.3);
    // All detractors and all promoters hit the ends of the scale.
    expect(scoreValue('NPS', countScores('NPS', [0, 6])).score).toBe(-100);
    expect(scoreValue('NPS', countScores('NPS', [9, 10])).score).toBe(100);
  });

  it('CSAT is the share of 4 and 5 ratings x 100', () => {
    // 4 of 7 ratings are 4 or 5: 57.142... -> 57.1.
    expect(scoreValue('CSAT', countScores('CSAT', [5, 4, 3, 2, 1, 5, 4]))).toEqual({
      score: 57.1,
      cesNet: null,
    });
    expect(scoreValue('CSAT', countScores('CSAT', [3, 3])).score).toBe(0);
  });

  it('CES is the mean rating, with net = share of 5-7 minus share of 1-3 (x100)', () => {
    // [7,6,5,4,3,2,1,7,6]: sum 41 over 9 = 4.5555 -> 4.56; 5-7: 5 ratings, 1-3: 3 ratings -> (5-3)/9 = 22.2.
    expect(scoreValue('CES', countScores('CES', [7, 6, 5, 4, 3, 2, 1, 7, 6]))).toEqual({
      score: 4.56,
      cesNet: 22.2,
    });
    // 4 is neutral: mean 4, net 0.
    expect(scoreValue('CES', countScores('CES', [4, 4, 4]))).toEqual({ score: 4, cesNet: 0 });
  });

  it('no responses give no score, and fewer than 30 are low-confidence', () => {
    expect(scoreValue('NPS', noCounts)).toEqual({ score: null, cesNet: null });
    const few = feedbackScore('NPS', countScores('NPS', Array(29).fill(10)), noCounts);
    expect(few).toMatchObject({
      score: 100,
      responses: 29,
      lowConfidence: true,
      previousScore: null,
      trend: null,
    });
    const enough = feedbackScore('NPS', countScores('NPS', Array(30).fill(10)), noCounts);
    expect(enough.lowConfidence).toBe(false);
  });

  it('the trend is the change against the previous period', () => {
    // Now: 2 promoters, 1 detractor of 4 -> 25. Before: 1 promoter, 3 detractors of 5 -> -40. Trend +65.
    const score = feedbackScore(
      'NPS',
      countScores('NPS', [10, 9, 8, 2]),
      countScores('NPS', [9, 1, 2, 3, 7]),
    );
    expect(score).toMatchObject({ score: 25, previousScore: -40, previousResponses: 5, trend: 65 });
    // CES trends carry two decimals: 4.67 - 3.5 = 1.17.
    const ces = feedbackScore('CES', countScores('CES', [5, 5, 4]), countScores('CES', [3, 4]));
    expect(ces).toMatchObject({ score: 4.67, previousScore: 3.5, trend: 1.17 });
  });

  it('validates scales and names detractors (NPS 0-6, CSAT 1-2; CES has none)', () => {
    expect([isInScale('NPS', 0), isInScale('NPS', 10), isInScale('NPS', 11), isInScale('NPS', -1)]).toEqual([
      true,
      true,
      false,
      false,
    ]);
    expect([isInScale('CSAT', 0), isInScale('CSAT', 5), isInScale('CES', 7), isInScale('CES', 8)]).toEqual([
      false,
      true,
      true,
      false,
    ]);
    expect(isInScale('NPS', 7.5)).toBe(false);
    expect([
      isDetractor('NPS', 6),
      isDetractor('NPS', 7),
      isDetractor('CSAT', 2),
      isDetractor('CSAT', 3),
    ]).toEqual([true, false, true, false]);
    expect(isDetractor('CES', 1)).toBe(false);
    expect([bandOf('CES', 3), bandOf('CES', 4), bandOf('CES', 5)]).toEqual([-1, 0, 1]);
  });
});

describe('periods in Asia/Shanghai with ISO weeks', () => {
  it('puts 2026-03-31T17:00Z in April (Shanghai 01:00 on April 1)', () => {
    const at = new Date('2026-03-31T17:00:00Z');
    const month = periodContaining('MONTH', at);
    expect(month.label).toBe('2026-04');
    expect(month.start.toISOString()).toBe('2026-03-31T16:00:00.000Z');
    expect(month.end.toISOString()).toBe('2026-04-30T16:00:00.000Z');
    expect(periodContaining('QUARTER', at).label).toBe('2026-Q2');
    // One millisecond before Shanghai midnight is still March and Q1.
    const before = new Date('2026-03-31T15:59:59.999Z');
    expect(periodContaining('MONTH', before).label).toBe('2026-03');
    expect(periodContaining('QUARTER', before).label).toBe('2026-Q1');
  });

  it('numbers weeks as ISO 8601 does, Monday to Sunday, across year ends', () => {
    // 2026-01-01 is a Thursday: week 1 of 2026 starts Monday 2025-12-29.
    const w1 = periodContaining('WEEK', new Date('2026-01-01T04:00:00Z'));
    expect(w1.label).toBe('2026-W01');
    expect(w1.startDate).toBe('2025-12-29');
    expect(w1.start.toISOString()).toBe('2025-12-28T16:00:00.000Z');
    // 2027-01-01 is a Friday: it belongs to week 53 of 2026.
    expect(periodContaining('WEEK', new Date('2027-01-01T04:00:00Z')).label).toBe('2026-W53');
    // Sunday 2026-03-01 22:00 in Shanghai is still week 9; Monday 00:30 is week 10.
    expect(periodContaining('WEEK', new Date('2026-03-01T14:00:00Z')).label).toBe('2026-W09');
    expect(periodContaining('WEEK', new Date('2026-03-01T16:30:00Z')).label).toBe('2026-W10');
    expect(isoWeekOf(new Date(Date.UTC(2021, 0, 3)))).toEqual({ year: 2020, week: 53 });
  });

  it('steps back to the previous period for trends', () => {
    expect(previousPeriod(periodContaining('QUARTER', new Date('2026-02-10T00:00:00Z'))).label).toBe(
      '2025-Q4',
    );
    expect(previousPeriod(periodContaining('MONTH', new Date('2026-03-10T00:00:00Z'))).label).toBe('2026-02');
    const w1 = periodContaining('WEEK', new Date('2026-01-01T04:00:00Z'));
    expect(previousPeriod(w1)).toMatchObject({
      label: '2025-W52',
      startDate: '2025-12-22',
      endDate: '2025-12-29',
    });
    expect(quarterPeriod(2026, 2)).toMatchObject({
      label: '2026-Q2',
      startDate: '2026-04-01',
      endDate: '2026-07-01',
    });
  });
});
