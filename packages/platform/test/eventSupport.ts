import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import type { DomainEvent } from '../src/events/types.ts';

let position = 0;

/** A test event with the next position; `n` lands in its key and payload. */
export function testEvent(topic: string, n: number, id: string = randomUUID()): DomainEvent {
  position += 1;
  return {
    id,
    topic,
    key: `k${n}`,
    payload: { n },
    source: 'test',
    position,
    occurredAt: new Date().toISOString(),
  };
}

/** Log lines at warn and above, to see dead-letter records. */
export function capturingLogger() {
  const lines: { msg: string; eventId?: string; attempts?: number }[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { logger, lines };
}

/** The outbox, relay state and inbox tables of `schema`, as defineOutbox maps them. */
export function outboxDdl(schema: string): string[] {
  return [
    `create schema ${schema}`,
    `create table ${schema}.event_outbox (id bigserial primary key, event_id uuid not null unique default gen_random_uuid(),
      topic text not null, key text not null, payload jsonb not null, created_at timestamptz not null default now(), position bigint unique)`,
    `create table ${schema}.event_relay_state (name text primary key, published_position bigint not null default 0)`,
    `create table ${schema}.event_inbox (consumer text not null, event_id uuid not null, handled_at timestamptz not null default now())`,
    `create unique index event_inbox_consumer_event_uq on ${schema}.event_inbox (consumer, event_id)`,
  ];
}
