import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { areaOf, newestProfile, summarizeProfile } from '../src/profile.ts';
import { percentile, ratio, summarize } from '../src/stats.ts';
import { atLeast, atMost } from '../src/targets.ts';

describe('stats', () => {
  it('takes nearest-rank percentiles of unsorted samples', () => {
    const samples = Array.from({ length: 200 }, (_, i) => (i * 37) % 200);
    const s = summarize(samples);
    expect(s.count).toBe(200);
    expect(s.p50Ms).toBe(99);
    expect(s.p99Ms).toBe(197);
    expect(s.maxMs).toBe(199);
    expect(s.meanMs).toBeCloseTo(99.5, 9);
    expect(percentile(new Float64Array([5]), 99)).toBe(5);
    expect(Number.isNaN(summarize([]).p50Ms)).toBe(true);
  });

  it('never reports a ratio of a missing figure', () => {
    expect(ratio(3, 2)).toBe(1.5);
    expect(Number.isNaN(ratio(undefined, 2))).toBe(true);
    expect(Number.isNaN(ratio(3, 0))).toBe(true);
  });
});

describe('targets', () => {
  it('says whether a goal is met and by how much', () => {
    expect(atLeast('t', 1.8, 1.5, 'x')).toMatchObject({ met: true, margin: '20% above the goal' });
    expect(atLeast('t', 1.2, 1.5, 'x')).toMatchObject({ met: false, margin: '20% short of the goal' });
    expect(atMost('t', 1.56, 1.3, 'x')).toMatchObject({ met: false, margin: '20% over the limit' });
    expect(atMost('t', 100, 100, ' ms', { strict: true })).toMatchObject({ met: false });
    expect(atMost('t', 80, 100, ' ms', { strict: true })).toMatchObject({
      met: true,
      margin: '20% under the limit',
    });
    expect(atLeast('t', undefined, 5000, ' records/s')).toMatchObject({
      met: null,
      measured: 'not measured',
    });
  });
});

describe('profile summary', () => {
  it('ranks self time of a real V8 profile by function and by area', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bench-prof-'));
    try {
      const script =
        'function spin(){let x=0;const end=Date.now()+400;while(Date.now()<end)x+=Math.sqrt(x+1);return x}spin()';
      execFileSync(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${dir}`, '-e', script]);
      const file = newestProfile(dir);
      expect(file).not.toBeNull();
      const summary = summarizeProfile(file!);
      expect(summary.totalMs).toBeGreaterThan(100);
      expect(summary.functions.some((f) => f.name.startsWith('spin'))).toBe(true);
      const shares = summary.areas.reduce((sum, a) => sum + a.share, 0);
      expect(shares).toBeGreaterThan(0.99);
      expect(shares).toBeLessThan(1.01);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names the package, repo folder or runtime a frame belongs to', () => {
    expect(areaOf('file:///w/node_modules/@apollo/gateway/dist/x.js', 'f')).toBe('@apollo/gateway');
    expect(areaOf('file:///w/node_modules/graphql/execution/execute.js', 'f')).toBe('graphql');
    expect(areaOf('file:///w/main/gateway/src/gateway.ts', 'f')).toBe('repo: gateway');
    expect(areaOf('node:internal/http', 'f')).toBe('node internals');
    expect(areaOf('', '(garbage collector)')).toBe('(garbage collector)');
  });
});
