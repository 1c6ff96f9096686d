import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../../test/helpers/eventually.ts';
import {
  connectTestBus,
  deleteTestStream,
  natsAvailable,
  testNatsUrl,
  testStreamNames,
} from '../../../test/helpers/testNats.ts';
import { durableName, filterSubject, type NatsBus } from '../src/events/natsBus.ts';
import type { DomainEvent } from '../src/events/types.ts';
import { capturingLogger, testEvent } from './eventSupport.ts';

const reachable = await natsAvailable();
if (!reachable) console.warn(`natsBus.test.ts: SKIPPED, no NATS JetStream at ${testNatsUrl} (CI starts one)`);

describe('subject and durable naming', () => {
  it('maps topics to one filter subject and consumer names to durable names', () => {
    expect(filterSubject('cx.events', ['customer.merged'])).toBe('cx.events.customer.merged');
    expect(filterSubject('cx.events', ['customer.merged', 'customer.unmerged'])).toBe('cx.events.customer.>');
    expect(filterSubject('cx.events', ['customer.merged', 'service.complaint_opened'])).toBe('cx.events.>');
    expect(durableName('feedback.touchpoints')).toBe('feedback_touchpoints');
  });
});

describe.skipIf(!reachable)('NATS JetStream bus', () => {
  const names = testStreamNames('natsbus');
  const buses: NatsBus[] = [];
  const { logger, lines } = capturingLogger();
  const open = async () => {
    const bus = await connectTestBus(names, { logger, retryDelayMs: 50, maxDeliver: 3, ackWaitMs: 5_000 });
    buses.push(bus);
    return bus;
  };
  let bus: NatsBus;
  beforeAll(async () => {
    bus = await open();
  });
  afterAll(async () => {
    for (const b of buses) await b.close();
    await deleteTestStream(names.stream);
  });

  it('delivers the subscribed topics in publish order and skips the others', async () => {
    const seen: DomainEvent[] = [];
    // Two roots: the consumer's filter is the whole stream, and the handler skips other topics.
    const stop = await bus.subscribe('t1.orders', ['t1.created', 't1b.closed'], async (e) => {
      seen.push(e);
    });
    for (const e of [
      testEvent('t1.created', 1),
      testEvent('t1.noise', 2),
      testEvent('t1b.closed', 3),
      testEvent('t1.created', 4),
    ])
      await bus.publish(e);
    await eventually(() => expect(seen.map((e) => e.payload.n)).toEqual([1, 3, 4]));
    expect(seen.map((e) => e.topic)).toEqual(['t1.created', 't1b.closed', 't1.created']);
    await stop();
  });

  it('stores a re-published event id once, so each consumer receives it once', async () => {
    const before = (await bus.manager.streams.info(names.stream)).state.messages;
    const seen: string[] = [];
    const stop = await bus.subscribe('t2.dedup', ['t2.happened'], async (e) => {
      seen.push(e.id);
    });
    const first = testEvent('t2.happened', 1);
    const second = testEvent('t2.happened', 2);
    // A relay retry, or a second relay publishing the same outbox row.
    for (const e of [first, first, second, first, second]) await bus.publish(e);
    const other = await open();
    await other.publish(first);
    await eventually(() => expect(seen).toEqual([first.id, second.id]));
    await new Promise((r) => setTimeout(r, 300));
    expect(seen).toEqual([first.id, second.id]);
    expect((await bus.manager.streams.info(names.stream)).state.messages).toBe(before + 2);
    await stop();
  });

  it('redelivers after a failing handler, keeps the order, and dead-letters an event that keeps failing', async () => {
    const attempts = new Map<number, number>();
    const handled: number[] = [];
    const stop = await bus.subscribe('t3.retry', ['t3.happened'], async (e) => {
      const n = Number(e.payload.n);
      attempts.set(n, (attempts.get(n) ?? 0) + 1);
      if (n === 1 && attempts.get(n) === 1) throw new Error('transient failure');
      if (n === 2) throw new Error('permanent failure');
      handled.push(n);
    });
    const poison = testEvent('t3.happened', 2);
    for (const e of [testEvent('t3.happened', 1), poison, testEvent('t3.happened', 3)]) await bus.publish(e);
    await eventually(() => expect(handled).toEqual([1, 3]), 15_000);
    expect(attempts.get(1)).toBe(2);
    expect(attempts.get(2)).toBe(3);
    expect(attempts.get(3)).toBe(1);
    expect(lines.filter((l) => l.msg.includes('dead-lettered')).map((l) => l.eventId)).toEqual([poison.id]);
    await stop();
  });

  it('lets two subscribers with the same durable name share the work, each event handled by one', async () => {
    const replicaA = await open();
    const replicaB = await open();
    const byA: number[] = [];
    const byB: number[] = [];
    const slow = (into: number[]) => async (e: DomainEvent) => {
      await new Promise((r) => setTimeout(r, 5));
      into.push(Number(e.payload.n));
    };
    const stopA = await replicaA.subscribe('t4.shared', ['t4.happened'], slow(byA));
    const stopB = await replicaB.subscribe('t4.shared', ['t4.happened'], slow(byB));
    const total = 40;
    for (let n = 1; n <= total; n += 1) await bus.publish(testEvent('t4.happened', n));
    await eventually(() => expect(byA.length + byB.length).toBe(total), 15_000);
    await new Promise((r) => setTimeout(r, 300));
    expect([...byA, ...byB].sort((a, b) => a - b)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(byA.length).toBeGreaterThan(0);
    expect(byB.length).toBeGreaterThan(0);
    // Redelivery after a replica stops: the durable keeps its place, the other replica carries on.
    await stopA();
    for (let n = total + 1; n <= total + 5; n += 1) await bus.publish(testEvent('t4.happened', n));
    await eventually(() => expect(byB.slice(-5)).toEqual([41, 42, 43, 44, 45]));
    await stopB();
  });
});
