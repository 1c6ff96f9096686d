import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { figure, type HookOutcome } from './hooks.ts';
import type { LoadResult } from './load.ts';
import type { BenchResults, GatewayRun, GrowthPoint } from './results.ts';
import { type GatewayKind, gatewayLabels } from './servers.ts';
import { ratio } from './stats.ts';
import { atLeast, atMost, type TargetResult } from './targets.ts';

const f = (value: number | undefined, digits = 1) =>
  value === undefined || !Number.isFinite(value) ? '-' : value.toFixed(digits);
const x = (value: number) => (Number.isFinite(value) ? `${value.toFixed(2)}x` : '-');

/** The buffer pool the 1M point's 1,000 sampled customers fill (about 700 MB measured with pg_buffercache). */
const minGrowthBuffersMb = 1024;

function table(head: string[], rows: string[][]): string {
  return [
    `| ${head.join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

function loadRow(name: string, load: LoadResult | undefined): string[] {
  return [
    name,
    f(load?.throughput, 0),
    f(load?.p50Ms),
    f(load?.p90Ms),
    f(load?.p99Ms),
    load ? `${load.errors}/${load.requests}` : '-',
  ];
}

/** CPU one request costs the whole stack on this machine, the load generator aside. */
function stackCpu(run: GatewayRun | undefined): number | undefined {
  const c = run?.cpu;
  return c ? c.gatewayMsPerRequest + c.subgraphsMsPerRequest + (c.postgresMsPerRequest ?? 0) : undefined;
}

function gatewayOf(results: BenchResults, kind: GatewayRun['kind']): GatewayRun | undefined {
  return results.customer360.gateways.find((g) => g.kind === kind);
}

function hookSection(title: string, outcome: HookOutcome | undefined): string {
  if (!outcome || outcome.status === 'not measured')
    return `${title}\n\nNot measured: ${outcome?.status === 'not measured' ? outcome.reason : 'no module'}.`;
  if (outcome.status === 'failed')
    return `${title}\n\nFailed (${outcome.file}):\n\n\`\`\`\n${outcome.error.slice(0, 1500)}\n\`\`\``;
  const rows = Object.entries(outcome.figures).map(([k, v]) => [
    k,
    typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(2)) : JSON.stringify(v),
  ]);
  return `${title}\n\nFrom bench/src/${outcome.file} (${outcome.seconds.toFixed(1)} s):\n\n${table(['figure', 'value'], rows)}`;
}

function growthRow(point: GrowthPoint | undefined, label: string): string[] {
  if (!point) return [label, '-', '-', '-', '-', '-'];
  if (point.error) return [label, point.database, `error: ${point.error.split('\n')[0]}`, '', '', ''];
  return [
    `${label} (${point.customers.toLocaleString('en-US')})`,
    point.database,
    f(point.loaded?.p50Ms),
    f(point.loaded?.p99Ms),
    f(point.loaded?.throughput, 0),
    f(point.single?.p50Ms),
  ];
}

/** The issue's targets, judged on a run's figures. */
export function evaluateTargets(r: BenchResults): TargetResult[] {
  const g = (kind: GatewayRun['kind']) => gatewayOf(r, kind)?.load;
  const lead = r.hooks.leadStream;
  const subscribers = figure(lead, 'subscribers', 'subscriberCount');
  const pacedRate = figure(lead, 'pacedLeadsPerSecond');
  const large = r.growth.large;
  const sizes = `${large?.customers ? large.customers.toLocaleString('en-US') : '1M'} vs ${r.options.customers.toLocaleString('en-US')} customers`;
  return [
    atLeast(
      '360 throughput vs stock @apollo/gateway',
      ratio(g('cx')?.throughput, g('apollo')?.throughput),
      1.5,
      'x',
    ),
    atLeast('360 throughput vs Hive Gateway', ratio(g('cx')?.throughput, g('hive')?.throughput), 1.2, 'x'),
    // One client isolates what data size does to a request; under load, machine noise dominates.
    atMost(
      `360 p50 at ${sizes} (one client)`,
      ratio(large?.single?.p50Ms, r.growth.small?.single?.p50Ms),
      1.3,
      'x',
    ),
    atMost(
      `360 p50 at ${sizes} (concurrency ${r.options.concurrency})`,
      ratio(large?.loaded?.p50Ms, r.growth.small?.loaded?.p50Ms),
      1.3,
      'x',
    ),
    atMost(
      `assignment-to-subscriber p99${subscribers ? ` (${subscribers} subscribers` : ' (1,000 subscribers'}${pacedRate ? `, ${pacedRate} leads/s paced)` : ')'}`,
      figure(lead, 'p99Ms', 'p99', 'p99_ms'),
      100,
      ' ms',
      { strict: true, digits: 1 },
    ),
    atLeast(
      'DMS ingest (customersIngest, batches of 1,000 from 3 clients, matches against stored customers)',
      figure(r.hooks.ingest, 'recordsPerSecond', 'rowsPerSecond', 'records_per_second'),
      5000,
      ' records/s',
      0,
    ),
    atLeast(
      `DMS ingest into the ${large?.customers ? large.customers.toLocaleString('en-US') : '1M'}-customer dataset (the same batches)`,
      figure(r.hooks.ingest, 'largeRecordsPerSecond'),
      5000,
      ' records/s',
      0,
    ),
  ];
}

/** The Markdown report: what ran, the figures, the ratios and each target's verdict. */
export function renderMarkdown(r: BenchResults): string {
  const o = r.options;
  const out: string[] = [];
  const cx = gatewayOf(r, 'cx');
  const apollo = gatewayOf(r, 'apollo');
  const hive = gatewayOf(r, 'hive');
  const lean = gatewayOf(r, 'lean');
  out.push(`# Benchmark report ${r.startedAt}`);
  out.push(
    [
      `Machine: ${r.machine.cpus} x ${r.machine.cpuModel}, ${r.machine.memoryGb} GB, Node ${r.machine.node}, ${r.machine.postgres ?? 'Postgres ?'}; load average ${r.machine.loadAverage.join(' / ')} at start, ${r.machine.loadAverageEnd.join(' / ')} at end.`,
      `Settings: ${o.customers.toLocaleString('en-US')} customers, concurrency ${o.concurrency}, ${o.warmupSeconds} s warm-up + ${o.durationSeconds} s per measurement, ${o.sampleIds} seeded random customer ids (read once before measuring), ${o.poolMax} connections per subgraph pool${o.quick ? ', quick mode' : ''}. Run time ${r.seconds.toFixed(0)} s. Loopback only; every server in its own process.`,
      `Dataset: \`${r.dataset.database}\`, ${r.dataset.customers.toLocaleString('en-US')} customers${r.dataset.seeded ? `, seeded in this run: ${r.dataset.seeded.rows.toLocaleString('en-US')} rows in ${r.dataset.seeded.seconds.toFixed(1)} s (${Math.round(r.dataset.seeded.rows / r.dataset.seeded.seconds).toLocaleString('en-US')} rows/s)` : ' (reused)'}.`,
    ].join('\n'),
  );

  out.push('## Targets');
  out.push(
    table(
      ['target', 'goal', 'measured', 'verdict', 'margin'],
      r.targets.map((t) => [
        t.name,
        t.goal,
        t.measured,
        t.met === null ? 'not measured' : t.met ? 'met' : 'NOT met',
        t.margin,
      ]),
    ),
  );

  out.push(`## 1. Customer 360 at the gateway (concurrency ${o.concurrency})`);
  out.push(
    table(
      [
        'gateway',
        'req/s',
        'p50 ms',
        'p90 ms',
        'p99 ms',
        'errors',
        'gateway CPU ms/req',
        'gateway cores',
        'subgraphs CPU ms/req',
        'Postgres CPU ms/req',
        'other CPU ms/req',
      ],
      r.customer360.gateways.map((g) =>
        g.error
          ? [g.label, `failed: ${g.error.split('\n')[0]!.slice(0, 160)}`, '', '', '', '', '', '', '', '', '']
          : [
              ...loadRow(g.label, g.load),
              f(g.cpu?.gatewayMsPerRequest, 2),
              f(g.cpu?.gatewayCores, 2),
              f(g.cpu?.subgraphsMsPerRequest, 2),
              f(g.cpu?.postgresMsPerRequest, 2),
              f(g.cpu?.otherMsPerRequest, 2),
            ],
      ),
    ),
  );
  out.push(
    [
      `- Throughput: this / stock Apollo = **${x(ratio(cx?.load?.throughput, apollo?.load?.throughput))}**, this / Hive = **${x(ratio(cx?.load?.throughput, hive?.load?.throughput))}**.`,
      `- p50: stock Apollo / this = ${x(ratio(apollo?.load?.p50Ms, cx?.load?.p50Ms))}, Hive / this = ${x(ratio(hive?.load?.p50Ms, cx?.load?.p50Ms))}.`,
      `- Gateway CPU per request: stock Apollo / this = ${x(ratio(apollo?.cpu?.gatewayMsPerRequest, cx?.cpu?.gatewayMsPerRequest))}, Hive / this = ${x(ratio(hive?.cpu?.gatewayMsPerRequest, cx?.cpu?.gatewayMsPerRequest))}: the capacity ratio of a gateway on cores of its own.`,
      `- CPU-bound estimate for this machine (gateway + subgraphs + Postgres CPU per request, which background load does not inflate): this vs stock Apollo = ${x(ratio(stackCpu(apollo), stackCpu(cx)))}, vs Hive = ${x(ratio(stackCpu(hive), stackCpu(cx)))}.`,
      `- Responses: ${r.customer360.identical === undefined ? 'not compared' : r.customer360.identical ? 'identical' : 'DIFFERENT'} across the gateways for ${r.customer360.identicalChecked} customers.`,
      `- Unloaded (one client): this gateway p50 ${f(cx?.single?.p50Ms)} ms, p99 ${f(cx?.single?.p99Ms)} ms.`,
      ...(lean
        ? [
            `- Prototype (bench/src/procs/leanGateway.ts): gateway CPU per request this / prototype = ${x(ratio(cx?.cpu?.gatewayMsPerRequest, lean.cpu?.gatewayMsPerRequest))}, throughput prototype / this = ${x(ratio(lean.load?.throughput, cx?.load?.throughput))}.`,
          ]
        : []),
    ].join('\n'),
  );

  out.push('## 2. Floor: one hand-written SQL statement per subgraph, five in parallel');
  if (r.floor) {
    out.push(
      table(
        ['path', 'ops/s', 'p50 ms', 'p90 ms', 'p99 ms', 'errors'],
        [loadRow('floor (postgres.js, 5 parallel)', r.floor.load), loadRow('this gateway', cx?.load)],
      ),
    );
    out.push(
      `Gateway p50 / floor p50 = **${x(ratio(cx?.load?.p50Ms, r.floor.load.p50Ms))}** at the same concurrency; floor data ${r.floor.matchesGateway ? 'matches' : 'DOES NOT match'} the gateway's (ids, counts and order).`,
    );
  } else out.push('Not measured.');

  out.push('## 3. Growth: 360 p50 as the data grows');
  if (r.growth.large && !r.growth.large.error)
    out.push(
      "Our gateway over each dataset, each with its own five subgraphs, measured in alternating windows (small, large, large, small; loaded, then with one client), so that a change in the host's speed during the run falls on both points alike.",
    );
  out.push(
    table(
      [
        'dataset',
        'database',
        `p50 ms (c=${o.concurrency})`,
        `p99 ms (c=${o.concurrency})`,
        'req/s',
        'p50 ms (c=1)',
      ],
      [growthRow(r.growth.small, 'small'), growthRow(r.growth.large, 'large')],
    ),
  );
  if (r.growth.large?.loaded && r.growth.small?.loaded) {
    out.push(
      `Large / small p50: **${x(ratio(r.growth.large.loaded.p50Ms, r.growth.small.loaded.p50Ms))}** loaded, ${x(ratio(r.growth.large.single?.p50Ms, r.growth.small.single?.p50Ms))} with one client.`,
    );
    if ((r.machine.sharedBuffersMb ?? 0) < minGrowthBuffersMb)
      out.push(
        `Postgres ran with shared_buffers of ${r.machine.sharedBuffersMb} MB, less than the ${minGrowthBuffersMb} MB the large point's sampled customers need: it measured reads from the OS cache as much as the queries (bench/README.md, "Postgres settings").`,
      );
    const small = r.growth.small.cpu;
    const large = r.growth.large.cpu;
    if (small && large)
      out.push(
        `CPU per loaded request, small / large: gateway ${f(small.gatewayMsPerRequest)} / ${f(large.gatewayMsPerRequest)} ms, subgraphs ${f(small.subgraphsMsPerRequest)} / ${f(large.subgraphsMsPerRequest)} ms, Postgres ${f(small.postgresMsPerRequest)} / ${f(large.postgresMsPerRequest)} ms, other work on the machine ${f(small.otherMsPerRequest)} / ${f(large.otherMsPerRequest)} ms.`,
      );
    const scans = r.growth.large.seqScans ?? [];
    out.push(
      scans.length === 0
        ? 'Sequential scans on tables of more than 1,000 rows during the large window: none (every 360 statement used an index).'
        : `Sequential scans during the large window:\n\n${table(
            ['table', 'seq scans', 'rows'],
            scans.map((s) => [s.table, String(s.seqScans), s.rows.toLocaleString('en-US')]),
          )}`,
    );
  }
  if (r.growth.note) out.push(r.growth.note);

  out.push('## 4. Gateway CPU time per 360 request');
  out.push(
    'Each gateway runs alone in a forked process with a preloaded probe that answers `process.cpuUsage()` over IPC; the bench samples it right before and right after the measured window and divides the user+system delta by the requests completed in the window. Subgraph processes are sampled the same way; Postgres from /proc; "other" is machine-wide busy time left over (the load generator excluded), i.e. noise from anything else running on the machine.',
  );
  out.push(
    table(
      ['gateway', 'CPU ms/req', 'cores busy', 'RSS MB'],
      r.customer360.gateways
        .filter((g) => g.cpu)
        .map((g) => [
          g.label,
          f(g.cpu?.gatewayMsPerRequest, 3),
          f(g.cpu?.gatewayCores, 2),
          f(g.cpu?.gatewayRssMb, 0),
        ]),
    ),
  );

  out.push(hookSection('## 5. Lead created -> assignment event at a subscriber', r.hooks.leadStream));
  out.push(hookSection('## 6. DMS ingest', r.hooks.ingest));
  out.push(hookSection('### Segment count at 1M', r.hooks.segmentCount));

  const profiled = Object.entries(r.profiles);
  if (profiled.length) {
    out.push('## Profiles (self time under load, idle excluded)');
    for (const [kind, p] of profiled) {
      if (!p) continue;
      const label = kind === 'subgraphs' ? 'the five subgraphs' : gatewayLabels[kind as GatewayKind];
      out.push(
        `### ${label}: ${f(p.totalMs, 0)} ms of CPU sampled${p.throughput ? ` at ${f(p.throughput, 0)} req/s` : ''}`,
      );
      out.push(
        table(
          ['area', 'ms', 'share'],
          p.areas.slice(0, 12).map((a) => [a.name, f(a.ms, 0), `${(a.share * 100).toFixed(1)}%`]),
        ),
      );
      out.push(
        table(
          ['function', 'ms', 'share'],
          p.functions
            .slice(0, 15)
            .map((a) => [`\`${a.name}\``, f(a.ms, 0), `${(a.share * 100).toFixed(1)}%`]),
        ),
      );
    }
  }
  return `${out.join('\n\n')}\n`;
}

/** Writes <timestamp>.md/.json and latest.md/.json under the results folder. */
export function writeResults(dir: string, results: BenchResults, markdown: string): string[] {
  mkdirSync(dir, { recursive: true });
  const stamp = results.startedAt.replace(/[:.]/g, '-');
  const json = `${JSON.stringify(results, null, 2)}\n`;
  const files = [`${stamp}.md`, `${stamp}.json`, 'latest.md', 'latest.json'].map((name) =>
    path.join(dir, name),
  );
  writeFileSync(files[0]!, markdown);
  writeFileSync(files[1]!, json);
  writeFileSync(files[2]!, markdown);
  writeFileSync(files[3]!, json);
  return files;
}
