import { describe, expect, it } from 'vitest';
import { deriveConsents } from '../src/consents/deriveConsents.ts';
import type { SourceRecordRow } from '../src/db/schema.ts';
import { identitiesToHandBack, resolveRoots } from '../src/merge/unmerge.ts';
import { describeSegmentExpression, MAX_DEPTH, parseSegmentExpression } from '../src/segments/expression.ts';
import { behaviorTags } from '../src/tags/behaviorRules.ts';
import { ageOn, factTags } from '../src/tags/factTags.ts';
import { combineFacts, emptyFacts, type Facts, predictiveTags } from '../src/tags/predictiveRules.ts';

const now = new Date('2026-06-01T02:00:00.000Z');
const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000);
const keys = (tags: { key: string }[]) => tags.map((t) => t.key);
const yearsAgo = (y: number) => daysAgo(y * 365.25);

describe('fact tags', () => {
  it('derive the age band on the Shanghai calendar date, the city and owned brands', () => {
    // 2026-06-01T02:00Z is already June 1 in Shanghai: someone born 1996-06-01 turned 30 today.
    expect(ageOn('1996-06-01', now)).toBe(30);
    expect(ageOn('1996-06-02', now)).toBe(29);
    expect(ageOn('1996-06-01', new Date('2026-05-31T15:59:59Z'))).toBe(29);
    expect(
      keys(factTags({ birthDate: '1996-06-01', city: 'Shanghai', ownedBrands: ['WEY', 'Tank', 'WEY'] }, now)),
    ).toEqual(['age:30-39', 'city:Shanghai', 'owns:Tank', 'owns:WEY']);
    expect(factTags({ birthDate: null, city: null, ownedBrands: [] }, now)).toEqual([]);
  });
});

describe('behavior rules', () => {
  it('hold for the window after the latest event and not a moment longer', () => {
    const events = [
      { kind: 'MODEL_PAGE_VIEWED' as const, subject: 'WEY-MOCHA-2024', occurredAt: daysAgo(8) },
      { kind: 'MODEL_PAGE_VIEWED' as const, subject: 'WEY-MOCHA-2024', occurredAt: daysAgo(2) },
      { kind: 'MODEL_PAGE_VIEWED' as const, subject: 'TANK-300-2024', occurredAt: daysAgo(7) },
      { kind: 'COUPON_CLICKED' as const, subject: 'C1', occurredAt: daysAgo(13) },
    ];
    const tags = behaviorTags(events, now);
    expect(keys(tags)).toEqual(['coupon-clicked:C1', 'viewed:WEY-MOCHA-2024']);
    expect(tags.find((t) => t.key === 'viewed:WEY-MOCHA-2024')!.expiresAt).toEqual(daysAgo(-5));
  });
});

describe('predictive rules', () => {
  const owner: Facts = {
    ...emptyFacts,
    vehicleSince: yearsAgo(2),
    lastServiceAt: daysAgo(30),
    mileageKm: 20_000,
    lastServiceMileageKm: 18_000,
  };

  it('score churn risk from service recency, a detractor answer and open complaints', () => {
    expect(predictiveTags(owner, now)).toEqual([]);
    const lapsed = predictiveTags({ ...owner, lastServiceAt: daysAgo(400) }, now);
    expect(lapsed.find((t) => t.key.startsWith('churn-risk'))).toMatchObject({
      key: 'churn-risk:medium',
      score: 40,
    });
    const angry = predictiveTags(
      { ...owner, lastServiceAt: daysAgo(400), lastNpsScore: 4, lastNpsAt: daysAgo(10), openComplaints: 1 },
      now,
    );
    expect(angry.find((t) => t.key.startsWith('churn-risk'))).toMatchObject({
      key: 'churn-risk:high',
      score: 100,
    });
    expect(angry.find((t) => t.key.startsWith('churn-risk'))!.label).toContain('detractor (NPS 4)');
  });

  it('score trade-in propensity from vehicle age, mileage and a family change', () => {
    const old = predictiveTags(
      { ...owner, vehicleSince: yearsAgo(6.5), mileageKm: 130_000, lastServiceMileageKm: 128_000 },
      now,
    );
    expect(old.find((t) => t.key.startsWith('trade-in'))).toMatchObject({ key: 'trade-in:high', score: 70 });
    const family = predictiveTags(
      { ...owner, vehicleSince: yearsAgo(4), familyChangedAt: daysAgo(100) },
      now,
    );
    expect(family.find((t) => t.key.startsWith('trade-in'))).toMatchObject({
      key: 'trade-in:medium',
      score: 50,
    });
  });

  it('flag maintenance due by time or distance since the last service', () => {
    expect(keys(predictiveTags({ ...owner, lastServiceAt: daysAgo(190) }, now))).toContain('maintenance-due');
    expect(keys(predictiveTags({ ...owner, mileageKm: 23_500 }, now))).toContain('maintenance-due');
    expect(keys(predictiveTags({ ...owner, lastServiceAt: null, vehicleSince: yearsAgo(0.2) }, now))).toEqual(
      [],
    );
    expect(predictiveTags(emptyFacts, now)).toEqual([]);
  });

  it('combine the facts of a merged person', () => {
    const combined = combineFacts([
      { ...owner, openComplaints: 1, lastNpsScore: 9, lastNpsAt: daysAgo(50) },
      {
        ...emptyFacts,
        openComplaints: 2,
        lastNpsScore: 3,
        lastNpsAt: daysAgo(5),
        vehicleSince: yearsAgo(7),
        lastServiceAt: daysAgo(3),
        lastServiceMileageKm: 1,
      },
    ]);
    expect(combined).toMatchObject({
      openComplaints: 3,
      lastNpsScore: 3,
      vehicleSince: yearsAgo(7),
      lastServiceMileageKm: 1,
    });
    expect(combined.lastServiceAt).toEqual(daysAgo(3));
  });
});

describe('consent derivation', () => {
  it('takes the latest statement per purpose, the customer’s own on a tie', () => {
    const at = daysAgo(1);
    const derived = deriveConsents([
      { purpose: 'MARKETING_SMS', granted: true, at, source: 'DMS', direct: false },
      { purpose: 'MARKETING_SMS', granted: false, at, source: 'APP', direct: true },
      { purpose: 'MARKETING_PUSH', granted: false, at: daysAgo(3), source: 'APP', direct: true },
      { purpose: 'MARKETING_PUSH', granted: true, at: daysAgo(2), source: 'WEBSITE', direct: false },
    ]);
    expect(derived.get('MARKETING_SMS')).toMatchObject({ granted: false, direct: true });
    expect(derived.get('MARKETING_PUSH')).toMatchObject({ granted: true, source: 'WEBSITE' });
  });
});

describe('segment expressions', () => {
  it('accept a tree and render it readably', () => {
    const parsed = parseSegmentExpression({
      and: [
        { tag: ' viewed:WEY-MOCHA-2024 ' },
        { not: { or: [{ city: 'Beijing' }, { consent: 'MARKETING_SMS' }] } },
      ],
    });
    expect(parsed).toEqual({
      expression: {
        and: [
          { tag: 'viewed:WEY-MOCHA-2024' },
          { not: { or: [{ city: 'Beijing' }, { consent: 'MARKETING_SMS' }] } },
        ],
      },
    });
    if ('expression' in parsed)
      expect(describeSegmentExpression(parsed.expression)).toBe(
        'tag:"viewed:WEY-MOCHA-2024" AND NOT (city:"Beijing" OR consent:MARKETING_SMS)',
      );
  });

  it('refuse nodes with nothing or two things set, and trees too deep', () => {
    expect(parseSegmentExpression({})).toEqual({
      errors: [expect.objectContaining({ field: 'input.expression', code: 'EXPRESSION_NODE_INVALID' })],
    });
    let deep: Record<string, unknown> = { tag: 'x' };
    for (let i = 0; i < MAX_DEPTH; i += 1) deep = { not: deep };
    expect(parseSegmentExpression(deep)).toEqual({
      errors: [expect.objectContaining({ code: 'EXPRESSION_TOO_DEEP' })],
    });
  });
});

describe('unmerge bookkeeping', () => {
  it('resolves each member along the merges that still stand', () => {
    // B -> A and D -> C stand; the A -> C edge is being undone.
    const roots = resolveRoots(
      ['A', 'B', 'D'],
      new Map([
        ['B', 'A'],
        ['D', 'C'],
      ]),
    );
    expect(Object.fromEntries(roots)).toEqual({ A: 'A', B: 'A', D: 'C' });
  });

  it('hands back identities with the records that carry them, except keys the survivor still carries', () => {
    const rec = (customerId: string, externalId: string, phone: string): SourceRecordRow => ({
      source: 'APP',
      externalId,
      customerId,
      payload: { name: 'x', phone, phoneVerified: true, email: null, nationalIdHash: null, consents: [] },
      payloadHash: '',
      observedAt: now,
      createdAt: now,
      updatedAt: now,
    });
    const keysBack = identitiesToHandBack(
      [{ kind: 'EMAIL', source: 'WEBSITE', valueKey: 'm@example.com' }],
      [rec('S', 'app-s', '13900000001'), rec('M', 'app-m', '13900000002'), rec('M', 'app-m2', '13900000001')],
      'S',
    );
    expect(keysBack.map((k) => `${k.kind}:${k.source}:${k.valueKey}`).sort()).toEqual([
      'EMAIL:WEBSITE:m@example.com',
      'EXTERNAL_ID:APP:app-m',
      'EXTERNAL_ID:APP:app-m2',
      'PHONE:APP:13900000002',
    ]);
  });
});
