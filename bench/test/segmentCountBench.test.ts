import { describe, expect, it } from 'vitest';
import { hookSpecs, runHook } from '../src/hooks.ts';

const spec = hookSpecs.find((s) => s.key === 'segmentCount')!;
const context = {
  gatewayUrl: 'http://127.0.0.1:9/graphql',
  subgraphUrls: {},
  databaseUrl: 'postgres://127.0.0.1:9/none',
  serverUrl: 'postgres://127.0.0.1:9/postgres',
  customers: 500,
  durationSeconds: 1,
  concurrency: 1,
  log: () => {},
};

describe('segment count bench hook', () => {
  it('reports "not measured" with the reason when the run has no 1M dataset', async () => {
    const full = await runHook(spec, { ...context, quick: false });
    expect(full).toEqual({ status: 'not measured', reason: expect.stringMatching(/no 1M dataset/) });
    const quick = await runHook(spec, { ...context, quick: true });
    expect(quick).toEqual({ status: 'not measured', reason: expect.stringMatching(/quick mode/) });
  });
});
