import { randomUUID } from 'node:crypto';
import type { RunningServer } from '@cx/platform';
import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Random } from '../../../bench/src/random.ts';
import {
  type ScoreDimension,
  type SurveyKind,
  scoreDimensionEnum,
  surveyKindEnum,
  surveyResponses,
  type Touchpoint,
} from '../src/db/schema.ts';
import { rawCounts, rollupCounts } from '../src/repositories/scores.ts';
import { dealerLeagueTable } from '../src/scores/feedbackScores.ts';
import type { FeedbackScore } from '../src/scores/formulas.ts';
import { periodContaining, previousPeriod } from '../src/scores/periods.ts';
import { type FeedbackHarness, gql, openHarness, startFeedbackServer } from './support.ts';

interface Fixture {
  dealer: string;
  kind: SurveyKind;
  touchpoint: Touchpoint;
  score: number;
  at: string;
}

const region: Record<string, string> = { D1: 'EAST', D2: 'EAST', D3: 'NORTH', D4: 'SOUTH' };
const model: Record<string, string> = { D1: 'M1', D2: 'M2', D3: 'M2', D4: 'M1' };

const nps = (dealer: string, score: number, at: string): Fixture => ({
  dealer,
  kind: 'NPS',
  touchpoint: 'DELIVERY',
  score,
  at,
});

/**
 * Hand-computed expectations (Shanghai = UTC+8):
 * D1 Q2 2026: 10 (2026-03-31T17:00Z = 1 April 01:00 local), 9, 9, 3 (30 June 23:59 local), 7
 *   -> 3 promoters, 1 detractor of 5 = +40. D1 Q1: 10 (31 March 23:59:59 local), 2 -> 0. Trend +40.
 *   D1 also has a 0 at 2026-06-30T16:00Z = 1 July 00:00 local: Q3, counted nowhere here.
 * D2 Q2: 6, 6, 10 -> (1 - 2) / 3 = -33.3, nothing before. D3 only in Q1: 9 -> previous 100.
 */
const fixtures: Fixture[] = [
  nps('D1', 10, '2026-03-31T17:00:00Z'),
  nps('D1', 9, '2026-04-10T03:00:00Z'),
  nps('D1', 9, '2026-05-20T03:00:00Z'),
  nps('D1', 3, '2026-06-30T15:59:00Z'),
  nps('D1', 7, '2026-04-02T03:00:00Z'),
  nps('D1', 10, '2026-03-31T15:59:59Z'),
  nps('D1', 2, '2026-02-10T03:00:00Z'),
  nps('D1', 0, '2026-06-30T16:00:00Z'),
  nps('D2', 6, '2026-04-20T03:00:00Z'),
  nps('D2', 6, '2026-05-21T03:00:00Z'),
  nps('D2', 10, '2026-06-01T03:00:00Z'),
  nps('D3', 9, '2026-01-05T03:00:00Z'),
  ...[5, 4, 3, 2, 1, 5, 4].map((score) => ({
    dealer: 'D1',
    kind: 'CSAT' as const,
    touchpoint: 'REPAIR_ORDER_CLOSED' as const,
    score,
    at: '2026-05-12T03:00:00Z',
  })),
  ...[5, 5].map((score) => ({
    dealer: 'D2',
    kind: 'CSAT' as const,
    touchpoint: 'TEST_DRIVE' as const,
    score,
    at: '2026-05-13T03:00:00Z',
  })),
  ...[7, 6, 5, 4, 3, 2, 1, 7, 6].map((score) => ({
    dealer: 'D4',
    kind: 'CES' as const,
    touchpoint: 'COMPLAINT_RESOLVED' as const,
    score,
    at: '2026-05-14T03:00:00Z',
  })),
];

const scoresQuery = `
  query ($input: FeedbackScoresInput!) {
    feedbackScores(input: $input) {
      kind groupBy
      current { period label start end }
      previous { label start end }
      groups {
        key dealer { code } model { code } region touchpoint
        score { kind score cesNet responses favorable unfavorable lowConfidence previousScore previousResponses trend }
      }
    }
  }`;

/** The GraphQL FeedbackScore has exactly the fields of the domain type. */
type ScoreOut = FeedbackScore;
interface ScoresData {
  feedbackScores: {
    kind: string;
    groupBy: string;
    current: { period: string; label: string; start: string; end: string };
    previous: { label: string; start: string; end: string };
    groups: {
      key: string;
      dealer: { code: string } | null;
      model: { code: string } | null;
      region: string | null;
      touchpoint: string | null;
      score: ScoreOut;
    }[];
  };
}

describe('feedback scores: formulas through GraphQL, Shanghai periods, rollup, statement counts', () => {
  let h: FeedbackHarness;
  let server: RunningServer;
  beforeAll(async () => {
    h = await openHarness('scores');
    server = await startFeedbackServer(h);
    await h.database.db.insert(surveyResponses).values(
      fixtures.map((f) => ({
        customerId: randomUUID(),
        dealerCode: f.dealer,
        modelCode: model[f.dealer],
        region: region[f.dealer],
        kind: f.kind,
        touchpoint: f.touchpoint,
        score: f.score,
        respondedAt: new Date(f.at),
      })),
    );
  });
  afterAll(async () => {
    await server?.close();
    await h?.close();
  });

  async function scores(input: Record<string, unknown>) {
    h.database.counter.reset();
    const res = await gql<ScoresData>(server, scoresQuery, { input });
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    return { ...res.data!.feedbackScores, statements: h.database.counter.requestCount };
  }

  it('ranks dealers by NPS for a quarter, with previous-quarter trend, in one SQL statement', async () => {
    const result = await scores({
      kind: 'NPS',
      groupBy: 'DEALER',
      period: 'QUARTER',
      at: '2026-05-01T00:00:00Z',
    });
    expect(result.current).toEqual({
      period: 'QUARTER',
      label: '2026-Q2',
      start: '2026-03-31T16:00:00.000Z',
      end: '2026-06-30T16:00:00.000Z',
    });
    expect(result.previous.label).toBe('2026-Q1');
    expect(result.groups.map((g) => [g.key, g.dealer?.code, g.region, g.model])).toEqual([
      ['D1', 'D1', null, null],
      ['D2', 'D2', null, null],
      ['D3', 'D3', null, null],
    ]);
    expect(result.groups.map((g) => g.score)).toEqual([
      {
        kind: 'NPS',
        score: 40,
        cesNet: null,
        responses: 5,
        favorable: 3,
        unfavorable: 1,
        lowConfidence: true,
        previousScore: 0,
        previousResponses: 2,
        trend: 40,
      },
      {
        kind: 'NPS',
        score: -33.3,
        cesNet: null,
        responses: 3,
        favorable: 1,
        unfavorable: 2,
        lowConfidence: true,
        previousScore: null,
        previousResponses: 0,
        trend: null,
      },
      {
        kind: 'NPS',
        score: null,
        cesNet: null,
        responses: 0,
        favorable: 0,
        unfavorable: 0,
        lowConfidence: true,
        previousScore: 100,
        previousResponses: 1,
        trend: null,
      },
    ]);
    expect(result.statements).toBe(1);
  });

  it('groups by region and model', async () => {
    // EAST = D1 + D2 in Q2: 10,9,9,3,7,6,6,10 -> 4 promoters, 3 detractors of 8 = 12.5; before: D1's 10, 2 -> 0.
    const byRegion = await scores({
      kind: 'NPS',
      groupBy: 'REGION',
      period: 'QUARTER',
      at: '2026-04-01T00:00:00Z',
    });
    expect(
      byRegion.groups.map((g) => [
        g.region,
        g.score.score,
        g.score.responses,
        g.score.previousScore,
        g.score.trend,
      ]),
    ).toEqual([
      ['EAST', 12.5, 8, 0, 12.5],
      ['NORTH', null, 0, 100, null],
    ]);
    // M1 = D1 (+40 as above), M2 = D2 (+D3 only before): -33.3 against 100.
    const byModel = await scores({
      kind: 'NPS',
      groupBy: 'MODEL',
      period: 'QUARTER',
      at: '2026-04-01T00:00:00Z',
    });
    expect(
      byModel.groups.map((g) => [g.model?.code, g.score.score, g.score.previousScore, g.score.trend]),
    ).toEqual([
      ['M1', 40, 0, 40],
      ['M2', -33.3, 100, -133.3],
    ]);
    expect(byModel.statements).toBe(1);
  });

  it('counts 2026-03-31T17:00Z in April and 15:59:59Z in March (Shanghai months)', async () => {
    // April for D1: 10 (31 March 17:00Z), 7, 9 -> 2 promoters of 3 = 66.7. March holds only the
    // 10 at 15:59:59Z (the 2 is in February) -> 100, so the trend is -33.3.
    const april = await scores({
      kind: 'NPS',
      groupBy: 'DEALER',
      period: 'MONTH',
      at: '2026-04-15T00:00:00Z',
    });
    expect(april.current.label).toBe('2026-04');
    expect(april.groups.find((g) => g.key === 'D1')?.score).toMatchObject({
      score: 66.7,
      responses: 3,
      previousScore: 100,
      previousResponses: 1,
      trend: -33.3,
    });
  });

  it('counts ISO weeks in Shanghai: both 31 March responses fall in 2026-W14', async () => {
    // W14 = Monday 30 March to Sunday 5 April (local): D1's 10, 10 and 7 -> 2 promoters of 3.
    const week = await scores({ kind: 'NPS', groupBy: 'DEALER', period: 'WEEK', at: '2026-04-03T00:00:00Z' });
    expect(week.current).toMatchObject({ label: '2026-W14', start: '2026-03-29T16:00:00.000Z' });
    expect(week.groups).toHaveLength(1);
    expect(week.groups[0]!.score).toMatchObject({
      score: 66.7,
      responses: 3,
      previousScore: null,
      trend: null,
    });
  });

  it('gives CSAT and CES (with its net score) by touchpoint', async () => {
    const csat = await scores({
      kind: 'CSAT',
      groupBy: 'TOUCHPOINT',
      period: 'MONTH',
      at: '2026-05-01T00:00:00Z',
    });
    expect(csat.groups.map((g) => [g.touchpoint, g.score.score, g.score.responses])).toEqual([
      ['TEST_DRIVE', 100, 2],
      ['REPAIR_ORDER_CLOSED', 57.1, 7],
    ]);
    const ces = await scores({
      kind: 'CES',
      groupBy: 'TOUCHPOINT',
      period: 'MONTH',
      at: '2026-05-01T00:00:00Z',
    });
    expect(
      ces.groups.map((g) => [
        g.touchpoint,
        g.score.score,
        g.score.cesNet,
        g.score.favorable,
        g.score.unfavorable,
      ]),
    ).toEqual([['COMPLAINT_RESOLVED', 4.56, 22.2, 5, 3]]);
  });

  it('answers Dealer.feedback and Dealer.nps for many dealers in one statement each', async () => {
    const query = `query ($reps: [_Any!]!) {
      _entities(representations: $reps) {
        ... on Dealer {
          code
          feedback(kind: NPS, period: QUARTER, at: "2026-05-01T00:00:00Z") { score responses previousScore trend }
          nps(from: "2026-03-31T16:00:00Z", to: "2026-06-30T16:00:00Z") { score responses promoters passives detractors }
        }
      }
    }`;
    const run = async (codes: string[]) => {
      h.database.counter.reset();
      const res = await gql<{
        _entities: { code: string; feedback: ScoreOut; nps: Record<string, number> }[];
      }>(server, query, { reps: codes.map((code) => ({ __typename: 'Dealer', code })) });
      expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
      return { rows: res.data!._entities, statements: h.database.counter.requestCount };
    };
    const one = await run(['D1']);
    const many = await run(['D1', 'D2', 'D3', ...Array.from({ length: 40 }, (_, i) => `X${i}`)]);
    expect(one.rows[0]).toEqual({
      code: 'D1',
      feedback: { score: 40, responses: 5, previousScore: 0, trend: 40 },
      // The same quarter as a raw range gives the same NPS.
      nps: { score: 40, responses: 5, promoters: 3, passives: 1, detractors: 1 },
    });
    expect(many.rows.find((r) => r.code === 'X7')?.feedback).toEqual({
      score: null,
      responses: 0,
      previousScore: null,
      trend: null,
    });
    expect(one.statements).toBe(2);
    expect(many.statements).toBe(one.statements);
  });

  it('dealerLeagueTable gives the same league as the query', async () => {
    const table = await dealerLeagueTable(h.database.db, 'NPS', { year: 2026, quarter: 2 });
    expect(table.current.label).toBe('2026-Q2');
    expect(table.groups.map((g) => [g.key, g.score.score])).toEqual([
      ['D1', 40],
      ['D2', -33.3],
      ['D3', null],
    ]);
  });

  it('keeps the rollup equal to a raw recount through inserts, updates and deletes', async () => {
    const rnd = new Random(2026);
    const kinds = surveyKindEnum.enumValues;
    const touchpoints: Touchpoint[] = ['TEST_DRIVE', 'DELIVERY', 'REPAIR_ORDER_CLOSED', 'ROADSIDE_CLOSED'];
    const max = { NPS: 10, CSAT: 5, CES: 7 } as const;
    const min = { NPS: 0, CSAT: 1, CES: 1 } as const;
    const rows = Array.from({ length: 600 }, () => {
      const kind = rnd.pick(kinds);
      const dealer = rnd.pick(['R1', 'R2', 'R3', 'R4', 'R5']);
      return {
        customerId: rnd.uuid(),
        dealerCode: rnd.chance(0.95) ? dealer : null,
        modelCode: rnd.chance(0.9) ? rnd.pick(['MA', 'MB', 'MC']) : null,
        region: rnd.pick(['EAST', 'WEST']),
        kind,
        touchpoint: rnd.pick(touchpoints),
        score: rnd.int(min[kind], max[kind]),
        // Across year ends and around Shanghai midnights.
        respondedAt: rnd.dateBetween(new Date('2025-11-01T00:00:00Z'), new Date('2027-02-01T00:00:00Z')),
      };
    });
    const inserted = await h.database.db
      .insert(surveyResponses)
      .values(rows)
      .returning({ id: surveyResponses.id });
    const ids = inserted.map((r) => r.id);
    await h.database.db.delete(surveyResponses).where(inArray(surveyResponses.id, ids.slice(0, 40)));
    await h.database.db
      .update(surveyResponses)
      .set({ dealerCode: 'R9' })
      .where(inArray(surveyResponses.id, ids.slice(40, 80)));
    await h.database.db.update(surveyResponses).set({ score: 1 }).where(eq(surveyResponses.id, ids[100]!));

    const sorted = (list: Awaited<ReturnType<typeof rawCounts>>) =>
      [...list].sort((a, b) => a.key.localeCompare(b.key));
    let compared = 0;
    for (const kind of kinds) {
      for (const dimension of scoreDimensionEnum.enumValues as readonly ScoreDimension[]) {
        for (const [unit, at] of [
          ['QUARTER', '2026-01-15T00:00:00Z'],
          ['MONTH', '2026-12-31T17:30:00Z'],
          ['WEEK', '2027-01-01T00:00:00Z'],
        ] as const) {
          const current = periodContaining(unit, new Date(at));
          const previous = previousPeriod(current);
          const fromRollup = await rollupCounts(h.database.db, { kind, dimension, current, previous });
          const fromRows = await rawCounts(h.database.db, {
            kind,
            dimension,
            from: previous.start,
            to: current.end,
            splitAt: current.start,
          });
          expect(sorted(fromRollup), `${kind} ${dimension} ${unit}`).toEqual(sorted(fromRows));
          compared += fromRows.length;
        }
      }
    }
    expect(compared).toBeGreaterThan(100);
  });
});
