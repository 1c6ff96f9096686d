import { describe, expect, it } from 'vitest';
import {
  brandOfModel,
  type CandidateDealer,
  chooseAssignment,
  hasSkillFor,
  poolRegions,
} from '../src/leads/assignment.ts';
import { gradeLead } from '../src/leads/grade.ts';
import { consultant } from './candidates.ts';

const dealers: CandidateDealer[] = [
  { code: 'SH01', city: 'Shanghai', region: 'EAST' },
  { code: 'HZ01', city: 'Hangzhou', region: 'EAST' },
  { code: 'BJ01', city: 'Beijing', region: 'NORTH' },
];

describe('gradeLead', () => {
  it('grades by source, model and city', () => {
    expect(gradeLead({ source: 'SHOWROOM', modelCode: 'HAVAL-H6-2024', city: null })).toBe('H');
    expect(gradeLead({ source: 'CALL_CENTER', modelCode: 'TANK-300-2024', city: 'Beijing' })).toBe('H');
    expect(gradeLead({ source: 'APP', modelCode: 'HAVAL-H6-2024', city: null })).toBe('A');
    expect(gradeLead({ source: 'WEBSITE', modelCode: 'WEY-MOCHA-2024', city: 'Shanghai' })).toBe('A');
    expect(gradeLead({ source: 'SHOWROOM', modelCode: null, city: 'Shanghai' })).toBe('B');
    expect(gradeLead({ source: 'CAMPAIGN', modelCode: null, city: null })).toBe('C');
  });
});

describe('skills', () => {
  it('matches the brand prefix of the model code, aliases, exact model codes, and empty skills', () => {
    expect(brandOfModel('haval-h6-2024')).toBe('HAVAL');
    expect(hasSkillFor(['Haval'], 'HAVAL-H6-2024')).toBe(true);
    expect(hasSkillFor(['Great Wall'], 'GWM-POER-2024')).toBe(true);
    expect(hasSkillFor(['TANK-300-2024'], 'TANK-300-2024')).toBe(true);
    expect(hasSkillFor(['Tank'], 'HAVAL-H6-2024')).toBe(false);
    expect(hasSkillFor([], 'HAVAL-H6-2024')).toBe(true);
    expect(hasSkillFor(['Tank'], null)).toBe(true);
  });
});

describe('chooseAssignment', () => {
  const lead = { city: 'Shanghai', modelCode: 'HAVAL-H6-2024', preferredDealerCode: null };

  it('prefers the preferred dealer, then the city, then the regional pool', () => {
    const pool = [consultant('c-sh', 'SH01'), consultant('c-hz', 'HZ01'), consultant('c-bj', 'BJ01')];
    expect(
      chooseAssignment({ ...lead, preferredDealerCode: 'BJ01' }, { dealers, consultants: pool }),
    ).toMatchObject({
      consultantId: 'c-bj',
      reason: 'PREFERRED_DEALER/LEAST_OPEN_LEADS',
    });
    expect(chooseAssignment(lead, { dealers, consultants: pool })?.reason).toBe(
      'CITY_DEALER/LEAST_OPEN_LEADS',
    );
    const full = [
      consultant('c-sh', 'SH01', { openLeads: 10 }),
      consultant('c-hz', 'HZ01'),
      consultant('c-bj', 'BJ01'),
    ];
    expect(chooseAssignment(lead, { dealers, consultants: full })).toMatchObject({
      consultantId: 'c-hz',
      dealerCode: 'HZ01',
      reason: 'REGIONAL_POOL/LEAST_OPEN_LEADS',
    });
    expect(poolRegions(lead, dealers)).toEqual(['EAST']);
  });

  it('falls through a preferred dealer without an eligible consultant', () => {
    const pool = [consultant('c-bj', 'BJ01', { skills: ['Tank'] }), consultant('c-sh', 'SH01')];
    expect(
      chooseAssignment({ ...lead, preferredDealerCode: 'BJ01' }, { dealers, consultants: pool })?.reason,
    ).toBe('CITY_DEALER/LEAST_OPEN_LEADS');
  });

  it('filters by skill, activity and capacity, then picks the fewest open leads', () => {
    const pool = [
      consultant('c1', 'SH01', { skills: ['Tank'] }),
      consultant('c2', 'SH01', { active: false }),
      consultant('c3', 'SH01', { openLeads: 3, capacity: 3 }),
      consultant('c4', 'SH01', { openLeads: 2 }),
      consultant('c5', 'SH01', { openLeads: 1, skills: ['haval'] }),
    ];
    expect(chooseAssignment(lead, { dealers, consultants: pool })).toMatchObject({
      consultantId: 'c5',
      reason: 'CITY_DEALER/LEAST_OPEN_LEADS',
    });
  });

  it('breaks ties by round robin: never assigned first, then oldest last assignment, then id', () => {
    const at = (iso: string) => new Date(iso);
    const pool = [
      consultant('c-b', 'SH01', { lastAssignedAt: at('2026-03-01T10:00:00Z') }),
      consultant('c-a', 'SH01', { lastAssignedAt: at('2026-03-01T09:00:00Z') }),
      consultant('c-c', 'SH01', { openLeads: 5 }),
    ];
    expect(chooseAssignment(lead, { dealers, consultants: pool })).toMatchObject({
      consultantId: 'c-a',
      reason: 'CITY_DEALER/ROUND_ROBIN',
    });
    const fresh = [consultant('c-z', 'SH01'), consultant('c-y', 'SH01'), ...pool];
    expect(chooseAssignment(lead, { dealers, consultants: fresh })?.consultantId).toBe('c-y');
  });

  it('returns null when nobody is eligible or the lead has no city and no preferred dealer', () => {
    expect(
      chooseAssignment(lead, { dealers, consultants: [consultant('c', 'SH01', { skills: ['WEY'] })] }),
    ).toBeNull();
    expect(
      chooseAssignment(
        { city: null, modelCode: null, preferredDealerCode: null },
        { dealers, consultants: [consultant('c', 'SH01')] },
      ),
    ).toBeNull();
  });
});
