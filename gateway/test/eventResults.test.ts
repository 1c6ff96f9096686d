import { describe, expect, it } from 'vitest';
import type { StreamPlan } from '../src/leadStream/operation.ts';
import { type EventQuery, EventResults } from '../src/leadStream/results.ts';
import { anonymousScope, type StreamScope } from '../src/leadStream/scope.ts';

const plan: StreamPlan = {
  responseKey: 'leadAssigned',
  query: 'query ($id: ID!) { leadAssigned: leadAssignment(id: $id) { cursor } }',
  idVariable: 'id',
  variables: {},
  key: 'cursor-only',
  dealerCode: null,
  after: null,
};
const dealer: StreamScope = { key: 'dealer:bj001', viewer: null };

/** An executor that answers each event with its id, counting calls; `failing` positions reject once. */
function executor(failing = new Set<string>()) {
  const calls: EventQuery[] = [];
  const execute = async (request: EventQuery) => {
    calls.push(request);
    const id = String(request.variables.id);
    if (failing.delete(id)) throw new Error(`event ${id} unavailable`);
    return { data: { leadAssigned: { cursor: id } } };
  };
  return { calls, execute };
}

describe('EventResults', () => {
  it('runs one query per position and scope, shared by every subscriber of the group', async () => {
    const { calls, execute } = executor();
    const results = new EventResults(execute, 100);
    const a = results.resolver(plan, anonymousScope);
    const b = results.resolver(plan, anonymousScope);
    const [first, second] = await Promise.all([a(1).promise, b(1).promise]);
    expect(first).toBe(second);
    expect(first).toEqual({ data: { leadAssigned: { cursor: '1' } } });
    await results.resolver(plan, dealer)(1).promise;
    expect(calls.map((c) => [c.variables.id, c.scope.key])).toEqual([
      ['1', 'anonymous'],
      ['1', 'dealer:bj001'],
    ]);
    expect(results.counters).toEqual({ executions: 2, cacheHits: 1 });
  });

  it('keeps at most maxEntries results, dropping the oldest first', async () => {
    const { calls, execute } = executor();
    const results = new EventResults(execute, 3);
    const resolve = results.resolver(plan, anonymousScope);
    for (let position = 1; position <= 5; position += 1) await resolve(position).promise;
    await resolve(5).promise;
    await resolve(3).promise;
    expect(calls).toHaveLength(5);
    await resolve(1).promise;
    expect(calls).toHaveLength(6);
  });

  it('does not keep a failed query: the next subscriber tries again', async () => {
    const { calls, execute } = executor(new Set(['7']));
    const results = new EventResults(execute, 10);
    const resolve = results.resolver(plan, anonymousScope);
    const failed = resolve(7);
    await expect(failed.promise).rejects.toThrow('event 7 unavailable');
    expect(failed.state).toBe('failed');
    expect(await resolve(7).promise).toEqual({ data: { leadAssigned: { cursor: '7' } } });
    expect(calls).toHaveLength(2);
  });

  it('calls every waiter of a result in one pass once it settles, and then answers synchronously', async () => {
    const { execute } = executor();
    const results = new EventResults(execute, 10);
    const result = results.resolver(plan, anonymousScope)(3);
    expect(result.state).toBe('pending');
    const calls: string[] = [];
    for (const name of ['a', 'b', 'c'])
      result.whenSettled(() => {
        calls.push(name);
        // A microtask queued by one waiter runs only after all of them: they share one reaction.
        queueMicrotask(() => calls.push(`${name} later`));
      });
    await result.promise;
    await Promise.resolve();
    expect(calls.slice(0, 3)).toEqual(['a', 'b', 'c']);
    expect(result.state).toBe('done');
    // Later subscribers find it settled: no waiting, no promise.
    const again = results.resolver(plan, anonymousScope)(3);
    expect(again).toBe(result);
    expect(again.value).toEqual({ data: { leadAssigned: { cursor: '3' } } });
  });
});
