import { AsyncResource } from 'node:async_hooks';
import { and, asc, eq, gt, isNotNull, sql } from 'drizzle-orm';
import type { Db } from '../db.ts';
import type { Logger } from '../logger.ts';
import { type OutboxTables, toDomainEvent } from './outbox.ts';
import type { DomainEvent, EventBus, PublishManyResult } from './types.ts';

const PAGE = 500;

export interface EventRelay {
  /** Runs a step soon; kicks during a step coalesce into one more. */
  kick(): void;
  /** Resolves when no step is running (tests wait on it). */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Moves a subgraph's outbox to the bus in two phases. Positions are assigned in a short
 * transaction under a try-lock (one relay at a time, gap-free, commit order). Publishing happens
 * outside any transaction (an in-process consumer may need the same embedded connection) and
 * is at least once: the published mark moves only after the bus accepted the events, and
 * consumers drop repeats through their inbox.
 */
export function startEventRelay(options: {
  db: Db;
  tables: OutboxTables;
  source: string;
  bus: EventBus;
  logger: Logger;
  pollMs?: number;
}): EventRelay {
  const { db, tables, source, bus, logger } = options;
  const lockKey = `${source}.event_relay`;
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = false;

  const assignPositions = () =>
    db.transaction(async (tx) => {
      const locked = await tx.execute(sql`select pg_try_advisory_xact_lock(hashtext(${lockKey})) as locked`);
      if (!firstRow<{ locked: boolean }>(locked)?.locked) return;
      await tx.execute(sql`with
        pending as (select id, row_number() over (order by id) as rn from ${tables.outbox} where position is null),
        top as (select coalesce(max(position), 0) as p from ${tables.outbox})
        update ${tables.outbox} o set position = top.p + pending.rn from pending, top where o.id = pending.id`);
    });

  const markPublished = (position: number) =>
    db
      .update(tables.relayState)
      .set({ publishedPosition: sql`greatest(${tables.relayState.publishedPosition}, ${position})` })
      .where(eq(tables.relayState.name, source));

  const publishPending = async () => {
    await db.insert(tables.relayState).values({ name: source }).onConflictDoNothing();
    for (;;) {
      const [state] = await db.select().from(tables.relayState).where(eq(tables.relayState.name, source));
      const from = state?.publishedPosition ?? 0;
      const rows = await db
        .select()
        .from(tables.outbox)
        .where(and(isNotNull(tables.outbox.position), gt(tables.outbox.position, from)))
        .orderBy(asc(tables.outbox.position))
        .limit(PAGE);
      if (rows.length === 0) return;
      const { accepted, error } = await publishAll(
        bus,
        rows.map((row) => toDomainEvent(source, row)),
      );
      // Whatever the bus accepted in order stays accepted, so one failing event does not replay the page.
      if (accepted > 0) await markPublished(rows[accepted - 1]!.position!);
      if (error !== undefined) throw error;
      if (rows.length < PAGE) return;
    }
  };

  const step = async () => {
    try {
      await assignPositions();
      await publishPending();
    } catch (error) {
      // The next kick or poll retries; nothing is marked published until the bus took it.
      logger.warn({ err: error }, 'event relay step failed');
    }
  };

  // Bound to the relay's own context, so a kick from a resolver is not counted as request work.
  const kick = AsyncResource.bind(() => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = (async () => {
      do {
        again = false;
        await step();
      } while (again && !stopped);
    })().finally(() => {
      running = null;
    });
  });
  const timer = setInterval(kick, options.pollMs ?? 500);
  timer.unref();
  kick();
  return {
    kick,
    idle: async () => {
      while (running) await running;
    },
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      while (running) await running;
    },
  };
}

/** A page through the bus's pipelined publishMany, or one publish at a time on a bus without it. */
async function publishAll(bus: EventBus, events: readonly DomainEvent[]): Promise<PublishManyResult> {
  if (bus.publishMany) return bus.publishMany(events);
  for (const [i, event] of events.entries()) {
    try {
      await bus.publish(event);
    } catch (error) {
      return { accepted: i, error };
    }
  }
  return { accepted: events.length };
}

/** postgres.js returns rows as an array, PGlite as `{ rows }`. */
export function firstRow<T>(result: unknown): T | undefined {
  if (Array.isArray(result)) return result[0] as T | undefined;
  const rows = (result as { rows?: T[] }).rows;
  return rows?.[0];
}
