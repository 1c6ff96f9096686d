import { sql } from 'drizzle-orm';
import { pgSchema } from 'drizzle-orm/pg-core';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/testDatabase.ts';
import { createDatabase, type DatabaseHandle } from '../src/db.ts';
import { handleOnce } from '../src/events/inbox.ts';
import { InProcessBus } from '../src/events/inProcessBus.ts';
import { defineOutbox, publishEvents } from '../src/events/outbox.ts';
import { startEventRelay } from '../src/events/relay.ts';
import type { DomainEvent } from '../src/events/types.ts';
import { outboxDdl } from './eventSupport.ts';

const tables = defineOutbox(pgSchema('evtest'));
const logger = pino({ level: 'silent' });

describe('outbox, relay, bus and inbox', () => {
  let database: TestDatabase;
  let handle: DatabaseHandle;
  beforeAll(async () => {
    database = await createTestDatabase('events');
    handle = createDatabase({ url: database.url, pglite: database.pglite, poolMax: 4 });
    for (const ddl of [
      ...outboxDdl('evtest'),
      'create table evtest.effects (event_id uuid not null, n int not null)',
    ]) {
      await handle.db.execute(sql.raw(ddl));
    }
  });
  afterAll(async () => {
    await handle?.close();
    await database?.drop();
  });

  it('delivers every event in order, gap-free, and applies each once despite failures and redelivery', async () => {
    const bus = new InProcessBus(logger);
    const seen: DomainEvent[] = [];
    let failOnce = true;
    await bus.subscribe('test.consumer', ['thing.happened'], async (event) => {
      const applied = await handleOnce(handle.db, tables, 'test.consumer', event, async (tx) => {
        if (failOnce && event.payload.n === 3) {
          failOnce = false;
          throw new Error('transient failure');
        }
        await tx.execute(
          sql`insert into evtest.effects (event_id, n) values (${event.id}, ${Number(event.payload.n)})`,
        );
      });
      if (applied) seen.push(event);
    });
    for (let n = 1; n <= 5; n += 1) {
      await handle.db.transaction((tx) =>
        publishEvents(tx, tables, [{ topic: 'thing.happened', key: `k${n}`, payload: { n } }]),
      );
    }
    // An event of a topic nobody consumes still gets a position.
    await publishEvents(handle.db, tables, [{ topic: 'other.topic', key: 'x', payload: { n: 99 } }]);
    const relay = startEventRelay({ db: handle.db, tables, source: 'evtest', bus, logger, pollMs: 20 });
    for (let i = 0; i < 100 && seen.filter((e) => e.topic === 'thing.happened').length < 5; i += 1) {
      await new Promise((r) => setTimeout(r, 20));
    }
    await relay.stop();
    const positions = (await handle.db.select().from(tables.outbox))
      .map((r) => r.position)
      .sort((a, b) => a! - b!);
    expect(positions).toEqual([1, 2, 3, 4, 5, 6]);
    expect(seen.map((e) => e.payload.n)).toEqual([1, 2, 3, 4, 5]);
    expect(seen.map((e) => e.position)).toEqual([1, 2, 3, 4, 5]);

    // Redelivering everything (a relay restart that lost its mark) changes nothing.
    await handle.db.update(tables.relayState).set({ publishedPosition: 0 });
    const again = startEventRelay({ db: handle.db, tables, source: 'evtest', bus, logger, pollMs: 20 });
    await again.idle();
    await again.stop();
    const effects = await handle.db.execute(sql`select n from evtest.effects order by n`);
    const rows = Array.isArray(effects) ? effects : (effects as unknown as { rows: { n: number }[] }).rows;
    expect(rows.map((r: { n: number }) => Number(r.n))).toEqual([1, 2, 3, 4, 5]);
  });
});
