import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from './paths.ts';

/** The parts of a V8 .cpuprofile the summary needs. */
interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileEntry {
  name: string;
  ms: number;
  share: number;
}

export interface ProfileSummary {
  file: string;
  totalMs: number;
  /** Self time per function, highest first. */
  functions: ProfileEntry[];
  /** Self time per package (node_modules name), our own code, node internals or V8 buckets. */
  areas: ProfileEntry[];
}

/** Where a frame's code lives: an npm package, a folder of this repo, node itself, or V8. */
export function areaOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + 'node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (url.startsWith('node:')) return 'node internals';
  const repo = /\/(gateway|packages\/[^/]+|subgraphs\/[^/]+|bench)\/src\//.exec(url);
  return repo ? `repo: ${repo[1]}` : 'other';
}

const repoUrl = `${pathToFileURL(repoRoot).href}/`;

function shortUrl(url: string): string {
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) return url.slice(modules + 'node_modules/'.length);
  return url.startsWith(repoUrl) ? url.slice(repoUrl.length) : url;
}

function rank(totals: Map<string, number>, totalMs: number, limit: number): ProfileEntry[] {
  return [...totals]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([name, us]) => ({ name, ms: us / 1000, share: us / 1000 / totalMs }));
}

/** Self-time summary of one profile, or of several added up; idle time is left out of the shares. */
export function summarizeProfile(files: string | string[], limit = 25): ProfileSummary {
  const functions = new Map<string, number>();
  const areas = new Map<string, number>();
  let total = 0;
  for (const file of Array.isArray(files) ? files : [files]) {
    const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
    total += addProfile(profile, functions, areas);
  }
  const totalMs = total / 1000;
  return {
    file: Array.isArray(files) ? files.join(', ') : files,
    totalMs,
    functions: rank(functions, totalMs, limit),
    areas: rank(areas, totalMs, limit),
  };
}

/**
 * Each sample counts as one sampling interval (the median gap between samples). Weighting by the
 * raw gaps instead would charge whatever frame was on the stack with the time the process sat
 * descheduled, which on a busy machine lands on syscalls (writev) and says nothing about CPU.
 */
function addProfile(profile: CpuProfile, functions: Map<string, number>, areas: Map<string, number>): number {
  const byId = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const gaps = Float64Array.from(profile.timeDeltas.filter((d) => d > 0)).sort();
  const interval = gaps.length ? gaps[Math.floor(gaps.length / 2)]! : 1000;
  let total = 0;
  for (let i = 0; i < profile.samples.length; i += 1) {
    const frame = byId.get(profile.samples[i]!);
    const us = interval;
    if (!frame || frame.functionName === '(idle)') continue;
    const where = frame.url ? `${shortUrl(frame.url)}:${frame.lineNumber + 1}` : '';
    const name = `${frame.functionName || '(anonymous)'}${where ? ` ${where}` : ''}`;
    functions.set(name, (functions.get(name) ?? 0) + us);
    const area = areaOf(frame.url, frame.functionName);
    areas.set(area, (areas.get(area) ?? 0) + us);
    total += us;
  }
  return total;
}

/** The newest .cpuprofile in a directory (node names them by time and pid). */
export function newestProfile(dir: string): string | null {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  return files.length ? path.join(dir, files.sort().at(-1)!) : null;
}
