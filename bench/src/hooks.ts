import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { benchAuthHeaders } from './auth.ts';
import { benchRoot } from './paths.ts';

/**
 * Measurements other engineers own live in their own modules; run.ts calls them when the file
 * exists at run time and marks them "not measured" otherwise. A module exports one async
 * function (the names below are tried first, then any exported function) that takes a
 * BenchHookContext and resolves to a flat object of figures, e.g. { p50Ms, p99Ms, subscribers },
 * or to { notMeasured: '<reason>' } when this run lacks what it measures.
 */
export interface BenchHookContext {
  /** Our gateway (HTTP and graphql-ws on the same path), running over the 10k dataset. */
  gatewayUrl: string;
  subgraphUrls: Record<string, string>;
  /** The 10k dataset's database and the server it lives on (for scratch databases). */
  databaseUrl: string;
  serverUrl: string;
  /** The 1M dataset's database, when this run has one. */
  growthUrl?: string;
  customers: number;
  quick: boolean;
  durationSeconds: number;
  concurrency: number;
  /**
   * CPU milliseconds used so far by our gateway's process and by the five subgraph processes
   * together, read inside each process; a hook subtracts two readings to charge a window.
   */
  cpuMs?: () => Promise<StackCpuMs>;
  /**
   * When the run has the 1M dataset: starts our gateway and the five subgraphs over it (the
   * hook stops them), for measurements at that scale. The 10k stack keeps running meanwhile.
   */
  largeStack?: () => Promise<LargeStack>;
  /** The hq_admin bearer header every bench client sends. */
  authHeaders: () => Promise<Record<string, string>>;
  log: (line: string) => void;
}

export interface StackCpuMs {
  gateway: number;
  subgraphs: number;
}

export interface LargeStack {
  gatewayUrl: string;
  databaseUrl: string;
  cpuMs: () => Promise<StackCpuMs>;
  stop(): Promise<void>;
}

export type HookFigures = Record<string, unknown>;

export interface HookSpec {
  key: 'leadStream' | 'ingest' | 'segmentCount';
  file: string;
  exportNames: string[];
}

export const hookSpecs: HookSpec[] = [
  {
    key: 'leadStream',
    file: 'leadStreamBench.ts',
    exportNames: ['runLeadStreamBench', 'leadStreamBench', 'run'],
  },
  { key: 'ingest', file: 'ingestBench.ts', exportNames: ['runIngestBench', 'ingestBench', 'run'] },
  {
    key: 'segmentCount',
    file: 'segmentCountBench.ts',
    exportNames: ['runSegmentCountBench', 'segmentCountBench', 'run'],
  },
];

export type HookOutcome =
  | { status: 'measured'; file: string; figures: HookFigures; seconds: number }
  | { status: 'not measured'; reason: string }
  | { status: 'failed'; file: string; error: string };

type HookFn = (context: BenchHookContext) => Promise<HookFigures>;

function pickFunction(module: Record<string, unknown>, names: string[]): HookFn | null {
  for (const name of names) if (typeof module[name] === 'function') return module[name] as HookFn;
  const any = Object.values(module).find((v) => typeof v === 'function');
  return (any as HookFn | undefined) ?? null;
}

export async function runHook(
  spec: HookSpec,
  context: Omit<BenchHookContext, 'authHeaders'>,
): Promise<HookOutcome> {
  const file = path.join(benchRoot, 'src', spec.file);
  if (!existsSync(file))
    return { status: 'not measured', reason: `bench/src/${spec.file} does not exist yet` };
  // These modules may also be standalone scripts whose top level parses argv: only import one
  // that declares an exported function, as the contract above asks.
  if (
    !/export\s+(async\s+)?function\s|export\s+const\s+\w+\s*=\s*(async\s*)?\(/.test(
      readFileSync(file, 'utf8'),
    )
  )
    return {
      status: 'not measured',
      reason: `bench/src/${spec.file} exports no function yet (it runs standalone: npx tsx bench/src/${spec.file})`,
    };
  const started = performance.now();
  try {
    const module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    const fn = pickFunction(module, spec.exportNames);
    if (!fn) return { status: 'failed', file: spec.file, error: 'exports no function' };
    const figures = await fn({ ...context, authHeaders: benchAuthHeaders });
    // A hook that cannot measure in this run (e.g. no 1M dataset) says why instead of figures.
    if (typeof figures?.notMeasured === 'string')
      return { status: 'not measured', reason: figures.notMeasured };
    return {
      status: 'measured',
      file: spec.file,
      figures: figures && typeof figures === 'object' ? figures : { value: figures },
      seconds: (performance.now() - started) / 1000,
    };
  } catch (error) {
    return { status: 'failed', file: spec.file, error: (error as Error).stack ?? String(error) };
  }
}

/** The first numeric figure among several accepted spellings (p99Ms, p99, p99_ms ...). */
export function figure(outcome: HookOutcome | undefined, ...names: string[]): number | undefined {
  if (outcome?.status !== 'measured') return undefined;
  for (const name of names) {
    const value = outcome.figures[name];
    if (typeof value === 'number' && Number.isFinite(value)) return value;
  }
  return undefined;
}
