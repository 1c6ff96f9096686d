import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { dealerLeagueTable, feedbackSubgraph, schema } from '@cx/feedback';
import { rawCounts } from '@cx/feedback/repositories/scores';
import { periodsAround } from '@cx/feedback/scores/feedbackScores';
import { quarterPeriod } from '@cx/feedback/scores/periods';
import { createDatabase, type Db, databaseUrlFor, loadEnv, openEmbeddedDatabase } from '@cx/platform';
import { count, sql } from 'drizzle-orm';
import { models } from './catalog.ts';
import { Random } from './random.ts';

/**
 * `npx tsx bench/src/feedbackBench.ts [--responses 1000000] [--dealers 200] [--quarter 2026-Q2]
 * [--runs 20] [--reset]` loads survey responses into FEEDBACK_DATABASE_URL / DATABASE_URL (an
 * in-memory PGlite when unset, with a smaller default) and times the dealer league table: every
 * dealer's NPS for one quarter, with the trend against the quarter before.
 */
const env = loadEnv();
const url = databaseUrlFor(env, 'feedback');
const { values } = parseArgs({
  options: {
    responses: { type: 'string', default: url ? '1000000' : '50000' },
    dealers: { type: 'string', default: '200' },
    quarter: { type: 'string', default: '2026-Q2' },
    runs: { type: 'string', default: '20' },
    seed: { type: 'string', default: '42' },
    reset: { type: 'boolean', default: false },
  },
});

const wholeNumber = (name: string, raw: string | undefined, min = 1) => {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min)
    throw new Error(`--${name}: must be a whole number of at least ${min}`);
  return n;
};
const positive = (name: string, raw: string | undefined) => wholeNumber(name, raw);
// --responses 0 only times the responses already loaded.
const total = wholeNumber('responses', values.responses, 0);
const dealerCount = positive('dealers', values.dealers);
const runs = positive('runs', values.runs);
const quarterMatch = /^(\d{4})-Q([1-4])$/.exec(values.quarter ?? '');
if (!quarterMatch) throw new Error('--quarter: must look like 2026-Q2');
const quarter = { year: Number(quarterMatch[1]), quarter: Number(quarterMatch[2]) as 1 | 2 | 3 | 4 };

const pglite = url ? undefined : await openEmbeddedDatabase('memory');
const database = createDatabase({ url, pglite, poolMax: 4 });
const db: Db = database.db;
await database.migrate(feedbackSubgraph.migrationsFolder, 'feedback');
if (values.reset) {
  // The truncate trigger empties the score rollup with it.
  await db.execute('truncate feedback.survey_responses cascade');
  console.log('feedback bench: truncated survey_responses');
}

const regions = ['NORTH', 'EAST', 'SOUTH', 'WEST', 'CENTRAL', 'NORTHWEST', 'NORTHEAST'];
const dealers = Array.from({ length: dealerCount }, (_, i) => ({
  code: `BD${String(i).padStart(4, '0')}`,
  region: regions[i % regions.length]!,
  // Some dealers delight, some disappoint: a per-dealer promoter tilt keeps the league spread out.
  tilt: ((i * 37) % 100) / 100,
}));
const touchpoints = [
  'TEST_DRIVE',
  'DELIVERY',
  'FIRST_MAINTENANCE',
  'REPAIR_ORDER_CLOSED',
  'ROADSIDE_CLOSED',
] as const;
const scale = { NPS: [0, 10], CSAT: [1, 5], CES: [1, 7] } as const;
// Two calendar years of responses around the benchmarked quarter.
const from = quarterPeriod(quarter.year - 1, 1).start;
const to = quarterPeriod(quarter.year, 4).end;

/** Rows keyed by column name, so a batch travels as one JSON parameter. */
interface ResponseRecord {
  customer_id: string;
  dealer_code: string;
  model_code: string;
  region: string;
  kind: 'NPS' | 'CSAT' | 'CES';
  touchpoint: (typeof touchpoints)[number];
  score: number;
  comment: string | null;
  responded_at: string;
}

function* generate(rnd: Random, n: number): Generator<ResponseRecord> {
  for (let i = 0; i < n; i += 1) {
    const dealer = rnd.pick(dealers);
    const roll = rnd.next();
    const kind = roll < 0.5 ? 'NPS' : roll < 0.8 ? 'CSAT' : 'CES';
    const [min, max] = scale[kind];
    // Skewed towards the top of the scale by the dealer's tilt, as real survey data is.
    const top = rnd.next() < 0.35 + dealer.tilt * 0.4;
    yield {
      customer_id: rnd.uuid(),
      dealer_code: dealer.code,
      model_code: rnd.pick(models).code,
      region: dealer.region,
      kind,
      touchpoint: rnd.pick(touchpoints),
      score: top ? rnd.int(max - 1, max) : rnd.int(min, max),
      comment: rnd.chance(0.1) ? 'Generated comment' : null,
      responded_at: rnd.dateBetween(from, to).toISOString(),
    };
  }
}

/**
 * One multi-row insert per batch, its rows sent as a single jsonb parameter: no bind-parameter
 * limit, little protocol overhead, and the same SQL on Postgres and PGlite. The statement
 * trigger updates the rollup once per batch.
 */
const BATCH = 10_000;
const insertBatch = (rows: ResponseRecord[]) =>
  db.execute(sql`
    insert into ${schema.surveyResponses}
      (customer_id, dealer_code, model_code, region, kind, touchpoint, score, comment, responded_at)
    select customer_id, dealer_code, model_code, region, kind, touchpoint, score, comment, responded_at
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(
      customer_id uuid, dealer_code text, model_code text, region text, kind feedback.survey_kind,
      touchpoint feedback.touchpoint, score integer, comment text, responded_at timestamptz)`);

const started = performance.now();
let inserted = 0;
let batch: ResponseRecord[] = [];
const flush = async () => {
  if (batch.length === 0) return;
  await insertBatch(batch);
  inserted += batch.length;
  batch = [];
  if (inserted % 100_000 < BATCH || inserted === total) {
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `feedback bench: ${inserted.toLocaleString('en')} / ${total.toLocaleString('en')} responses (${Math.round(inserted / seconds)} rows/s)`,
    );
  }
};
for (const row of generate(new Random(positive('seed', values.seed)), total)) {
  batch.push(row);
  if (batch.length === BATCH) await flush();
}
await flush();
const insertSeconds = Math.max((performance.now() - started) / 1000, 1e-3);
// What autovacuum does after a bulk load: the rollup's counters were rewritten once per batch.
if (database.kind === 'postgres')
  await db.execute('vacuum analyze feedback.survey_responses, feedback.score_rollups');
const [{ n: responsesInTable } = { n: 0 }] = await db.select({ n: count() }).from(schema.surveyResponses);
const [{ n: rollupRows } = { n: 0 }] = await db.select({ n: count() }).from(schema.scoreRollups);

async function time<T>(fn: () => Promise<T>): Promise<{ result: T; ms: number[] }> {
  const result = await fn(); // warm-up: plans and caches, not measured
  const ms: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const t = performance.now();
    await fn();
    ms.push(performance.now() - t);
  }
  return { result, ms: ms.sort((a, b) => a - b) };
}
const stats = (ms: number[]) => ({
  minMs: round(ms[0]!),
  medianMs: round(ms[Math.floor(ms.length / 2)]!),
  p95Ms: round(ms[Math.min(ms.length - 1, Math.ceil(ms.length * 0.95) - 1)]!),
});
const round = (n: number) => Math.round(n * 100) / 100;

const league = await time(() => dealerLeagueTable(db, 'NPS', quarter));
// The same figures straight from the responses, to show what the rollup saves (and check it).
const { current, previous } = periodsAround('QUARTER', quarterPeriod(quarter.year, quarter.quarter).start);
const raw = await time(() =>
  rawCounts(db, {
    kind: 'NPS',
    dimension: 'DEALER',
    from: previous.start,
    to: current.end,
    splitAt: current.start,
  }),
);
const rawByDealer = new Map(raw.result.map((r) => [r.key, r.current.responses]));
const mismatches = league.result.groups.filter((g) => rawByDealer.get(g.key) !== g.score.responses).length;
if (mismatches > 0) throw new Error(`league table disagrees with a raw recount for ${mismatches} dealers`);

const top = league.result.groups.slice(0, 3).map((g) => `${g.key} ${g.score.score} (${g.score.responses})`);
const resultsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'results');
const jsonPath = path.join(resultsDir, 'feedback.json');
const thisInsert = {
  rows: inserted,
  seconds: round(insertSeconds),
  rowsPerSecond: Math.round(inserted / insertSeconds),
  batch: BATCH,
};
/** A re-timing run (--responses 0) keeps the load figures of the run that loaded the same rows. */
function earlierInsert(): typeof thisInsert | null {
  if (inserted > 0 || !existsSync(jsonPath)) return null;
  const earlier = JSON.parse(readFileSync(jsonPath, 'utf8')) as {
    engine?: string;
    responsesInTable?: number;
    insert?: typeof thisInsert;
  };
  const same = earlier.engine === database.kind && earlier.responsesInTable === Number(responsesInTable);
  return same && earlier.insert ? earlier.insert : null;
}
const insert = earlierInsert() ?? thisInsert;
const report = {
  benchmark: 'dealer league table: NPS of every dealer for one quarter, with the previous-quarter trend',
  engine: database.kind,
  date: new Date().toISOString(),
  node: process.version,
  machine: { cpus: cpus().length, loadAverage1m: round(loadavg()[0]!) },
  quarter: current.label,
  responsesInTable: Number(responsesInTable),
  rollupRows: Number(rollupRows),
  dealers: league.result.groups.length,
  insert,
  leagueTable: { runs, statements: 1, ...stats(league.ms) },
  rawScanForComparison: { runs, ...stats(raw.ms) },
  top3: top,
};
console.log(
  `feedback bench: league table of ${report.dealers} dealers for ${report.quarter} over ${report.responsesInTable.toLocaleString('en')} responses: median ${report.leagueTable.medianMs} ms (min ${report.leagueTable.minMs}, p95 ${report.leagueTable.p95Ms}); the same from raw rows: median ${report.rawScanForComparison.medianMs} ms`,
);

const insertLine =
  insert.rows === 0
    ? 'none in this run: timed rows loaded earlier'
    : `${insert.rows.toLocaleString('en')} rows in ${insert.seconds} s (${insert.rowsPerSecond.toLocaleString('en')} rows/s, ${insert.batch.toLocaleString('en')} rows per statement, rollup trigger included)${insert === thisInsert ? '' : ', by an earlier run'}`;
mkdirSync(resultsDir, { recursive: true });
writeFileSync(jsonPath, `${JSON.stringify(report, null, 2)}\n`);
writeFileSync(
  path.join(resultsDir, 'feedback.md'),
  `# Feedback: dealer league table

${report.benchmark}. One grouped SQL statement over \`feedback.score_rollups\` (weekly and monthly
counters per dealer, model, region and touchpoint, kept by statement triggers on
\`survey_responses\`), split into the quarter and the one before it.

| | |
|---|---|
| engine | ${report.engine} |
| date | ${report.date} |
| machine | ${report.machine.cpus} CPUs, 1-minute load average ${report.machine.loadAverage1m} while timing |
| responses in the table | ${report.responsesInTable.toLocaleString('en')} |
| rollup rows | ${report.rollupRows.toLocaleString('en')} |
| dealers ranked | ${report.dealers} |
| quarter | ${report.quarter} |
| insert | ${insertLine} |
| **league table** (after VACUUM ANALYZE) | **median ${report.leagueTable.medianMs} ms**, min ${report.leagueTable.minMs} ms, p95 ${report.leagueTable.p95Ms} ms (${runs} runs after a warm-up) |
| same figures from raw rows | median ${report.rawScanForComparison.medianMs} ms, min ${report.rawScanForComparison.minMs} ms, p95 ${report.rawScanForComparison.p95Ms} ms |
| top 3 | ${top.join('; ')} |

Reproduce: \`createdb -h 127.0.0.1 -U postgres cx_bench_feedback && DATABASE_URL=postgres://postgres@127.0.0.1:5432/cx_bench_feedback npx tsx bench/src/feedbackBench.ts --responses ${report.responsesInTable}\`
(\`--responses 0\` re-times the rows already loaded).
`,
);
await database.close();
await pglite?.close();
