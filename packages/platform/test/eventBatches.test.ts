import { sql } from 'drizzle-orm';
import { pgSchema } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../../test/helpers/eventually.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/testDatabase.ts';
import {
  connectTestBus,
  deleteTestStream,
  natsAvailable,
  testNatsUrl,
  testStreamNames,
} from '../../../test/helpers/testNats.ts';
import { createDatabase, type DatabaseHandle, type Db } from '../src/db.ts';
import { handleOnce, handleOnceBatch } from '../src/events/inbox.ts';
import { InProcessBus } from '../src/events/inProcessBus.ts';
import type { NatsBus } from '../src/events/natsBus.ts';
import { defineOutbox, publishEvents } from '../src/events/outbox.ts';
import { startEventRelay } from '../src/events/relay.ts';
import type { DomainEvent } from '../src/events/types.ts';
import { capturingLogger, outboxDdl, testEvent } from './eventSupport.ts';

const tables = defineOutbox(pgSchema('evbatch'));

const reachable = await natsAvailable();
if (!reachable) console.warn(`eventBatches.test.ts: NATS part SKIPPED, no JetStream at ${testNatsUrl}`);

function rowsOf<T>(result: unknown): T[] {
  return Array.isArray(result) ? (result as T[]) : ((result as { rows: T[] }).rows ?? []);
}

describe('batched consumption through the inbox', () => {
  let database: TestDatabase;
  let handle: DatabaseHandle;
  beforeAll(async () => {
    database = await createTestDatabase('eventbatches');
    handle = createDatabase({ url: database.url, pglite: database.pglite, poolMax: 4 });
    for (const ddl of [
      ...outboxDdl('evbatch'),
      'create table evbatch.effects (seq bigserial primary key, consumer text not null, event_id uuid not null, n int not null)',
    ]) {
      await handle.db.execute(sql.raw(ddl));
    }
  });
  afterAll(async () => {
    await handle?.close();
    await database?.drop();
  });

  const record = (consumer: string) => async (tx: Db, e: DomainEvent) => {
    if (e.payload.n === 'poison') throw new Error('poison event');
    await tx.execute(
      sql`insert into evbatch.effects (consumer, event_id, n) values (${consumer}, ${e.id}, ${Number(e.payload.n)})`,
    );
  };
  const effects = async (consumer: string) =>
    rowsOf<{ n: number }>(
      await handle.db.execute(sql`select n from evbatch.effects where consumer = ${consumer} order by seq`),
    ).map((r) => Number(r.n));

  it('applies a batch once per event: an event already in the inbox, or twice in the batch, is skipped', async () => {
    const [a, b, c] = [
      testEvent('thing.happened', 1),
      testEvent('thing.happened', 2),
      testEvent('thing.happened', 3),
    ];
    expect(await handleOnce(handle.db, tables, 'dup', b, (tx) => record('dup')(tx, b))).toBe(true);
    expect(await handleOnceBatch(handle.db, tables, 'dup', [a, b, c, a], record('dup'))).toBe(2);
    expect(await handleOnceBatch(handle.db, tables, 'dup', [a, b, c], record('dup'))).toBe(0);
    expect(await effects('dup')).toEqual([2, 1, 3]);
  });

  it('relays a page as one batch per consumer and keeps the order; a poison event fails alone', async () => {
    const { logger, lines } = capturingLogger();
    const bus = new InProcessBus(logger, 3);
    const batches: number[][] = [];
    const subscribe = (consumer: string) =>
      bus.subscribe(
        consumer,
        ['thing.happened'],
        async (e) => {
          await handleOnce(handle.db, tables, consumer, e, (tx) => record(consumer)(tx, e));
        },
        {
          batch: async (events) => {
            batches.push(events.map((e) => e.position));
            await handleOnceBatch(handle.db, tables, consumer, events, record(consumer));
          },
        },
      );
    const unsubscribe = await subscribe('ordered');
    const ns = Array.from({ length: 40 }, (_, i) => i + 1);
    await handle.db.transaction((tx) =>
      publishEvents(
        tx,
        tables,
        ns.map((n) => ({ topic: 'thing.happened', key: `k${n}`, payload: { n } })),
      ),
    );
    const relay = startEventRelay({ db: handle.db, tables, source: 'evbatch', bus, logger, pollMs: 20 });
    await eventually(async () => expect(await effects('ordered')).toEqual(ns));
    // The whole page went to the consumer in one transaction, in position order.
    expect(batches).toEqual([ns]);

    // A poison event between good ones: the batch rolls back, one by one the neighbours apply, and
    // the poison is dead-lettered after three attempts without holding up what follows.
    await unsubscribe();
    await subscribe('poisoned');
    const payloads: (number | string)[] = [41, 42, 'poison', 44, 45];
    await handle.db.transaction((tx) =>
      publishEvents(
        tx,
        tables,
        payloads.map((n) => ({ topic: 'thing.happened', key: `k${n}`, payload: { n } })),
      ),
    );
    relay.kick();
    await eventually(async () => expect(await effects('poisoned')).toEqual([41, 42, 44, 45]), 10_000);
    await relay.stop();
    expect(lines.filter((l) => l.msg.includes('dead-lettered')).map((l) => l.eventId)).toHaveLength(1);
    const [state] = await handle.db.select().from(tables.relayState);
    expect(state?.publishedPosition).toBe(45);
  });
});

describe.skipIf(!reachable)('batched consumption over NATS JetStream', () => {
  const names = testStreamNames('batches');
  const { logger, lines } = capturingLogger();
  let bus: NatsBus;
  beforeAll(async () => {
    bus = await connectTestBus(names, {
      logger,
      retryDelayMs: 50,
      maxDeliver: 3,
      ackWaitMs: 5_000,
      batchSize: 100,
    });
  });
  afterAll(async () => {
    await bus?.close();
    await deleteTestStream(names.stream);
  });

  it('hands the buffered events to the batch handler in order and acks them after it returned', async () => {
    const handled: number[] = [];
    const sizes: number[] = [];
    const stop = await bus.subscribe(
      'b1.batches',
      ['b1.happened'],
      async (e) => {
        handled.push(Number(e.payload.n));
      },
      {
        batch: async (events) => {
          sizes.push(events.length);
          // A slow first batch lets the rest arrive meanwhile, so a later turn takes several.
          if (sizes.length === 1) await new Promise((r) => setTimeout(r, 200));
          handled.push(...events.map((e) => Number(e.payload.n)));
        },
      },
    );
    const ns = Array.from({ length: 60 }, (_, i) => i + 1);
    const result = await bus.publishMany(ns.map((n) => testEvent('b1.happened', n)));
    expect(result).toEqual({ accepted: 60 });
    await eventually(() => expect(handled).toEqual(ns));
    expect(Math.max(...sizes)).toBeGreaterThan(1);
    await stop();
    // Everything was acked: a new subscription under the same durable gets nothing again.
    const again: number[] = [];
    const stopAgain = await bus.subscribe('b1.batches', ['b1.happened'], async (e) => {
      again.push(Number(e.payload.n));
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(again).toEqual([]);
    await stopAgain();
  });

  it('retries a poison event of a batch alone, dead-letters it, and applies its neighbours in order', async () => {
    const applied: number[] = [];
    const attempts = new Map<number, number>();
    const apply = (e: DomainEvent) => {
      const n = Number(e.payload.n);
      attempts.set(n, (attempts.get(n) ?? 0) + 1);
      if (n === 3) throw new Error('poison event');
      applied.push(n);
    };
    const stop = await bus.subscribe('b2.poison', ['b2.happened'], async (e) => apply(e), {
      // All or nothing, like a transaction.
      batch: async (events) => {
        if (events.some((e) => e.payload.n === 3)) throw new Error('batch with a poison event');
        for (const e of events) apply(e);
      },
    });
    const poison = testEvent('b2.happened', 3);
    const published = [testEvent('b2.happened', 1), testEvent('b2.happened', 2), poison];
    published.push(testEvent('b2.happened', 4), testEvent('b2.happened', 5));
    expect(await bus.publishMany(published)).toEqual({ accepted: 5 });
    await eventually(() => expect(applied).toEqual([1, 2, 4, 5]), 15_000);
    // Three deliveries (maxDeliver), each retried alone; its neighbours waited for it, never re-applied.
    expect(attempts.get(3)).toBe(3);
    expect(lines.filter((l) => l.msg.includes('dead-lettered')).map((l) => l.eventId)).toEqual([poison.id]);
    await new Promise((r) => setTimeout(r, 300));
    expect(applied).toEqual([1, 2, 4, 5]);
    await stop();
  });
});
