import { randomUUID } from 'node:crypto';
import {
  createDatabase,
  createPiiCipher,
  type DatabaseHandle,
  type DomainEvent,
  type EventTopics,
  handleOnce,
  type RunningServer,
  startSubgraph,
  type Topic,
} from '@cx/platform';
import { and, asc, eq, sql } from 'drizzle-orm';
import { pino } from 'pino';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/testDatabase.ts';
import { type FeedbackConfig, feedbackRules } from '../src/config.ts';
import { createConsumers } from '../src/consumers.ts';
import { eventTables, outbox } from '../src/db/schema.ts';
import { createFeedbackSubgraph } from '../src/index.ts';

export const logger = pino({ level: 'silent' });

/** A fresh database with the feedback migrations, a movable clock and the real consumers. */
export interface FeedbackHarness {
  database: DatabaseHandle;
  /** The clock every rule reads; tests move it. */
  clock: { now: Date };
  /** Runs the consumers subscribed to the event's topic, once per event id, as the platform does. */
  deliver<T extends Topic>(topic: T, payload: EventTopics[T], eventId?: string): Promise<DomainEvent>;
  /** Outbox rows of one topic, oldest first. */
  outboxRows(topic: string): Promise<(typeof outbox.$inferSelect)[]>;
  /** The clear token handed to the messaging channel for an invitation. */
  tokenOf(invitationId: string): Promise<string>;
  close(): Promise<void>;
}

export async function openHarness(
  label: string,
  config: Partial<FeedbackConfig> = {},
): Promise<FeedbackHarness> {
  const testDb: TestDatabase = await createTestDatabase(`feedback_${label}`);
  const database = createDatabase({ url: testDb.url, pglite: testDb.pglite, poolMax: 6 });
  await database.migrate(createFeedbackSubgraph().migrationsFolder, 'feedback');
  const clock = { now: new Date('2026-04-15T02:00:00.000Z') };
  const consumers = createConsumers(feedbackRules({ now: () => clock.now, config }));
  return {
    database,
    clock,
    async deliver(topic, payload, eventId = randomUUID()) {
      const event: DomainEvent = {
        id: eventId,
        topic,
        key: 'test',
        payload: payload as unknown as Record<string, unknown>,
        source: topic.split('.')[0]!,
        position: 0,
        occurredAt: clock.now.toISOString(),
      };
      for (const consumer of consumers.filter((c) => c.topics.includes(topic))) {
        const name = `feedback.${consumer.name}`;
        await handleOnce(database.db, eventTables, name, event, (tx) =>
          consumer.handle(event, { db: tx, logger }),
        );
      }
      return event;
    },
    outboxRows: (topic) =>
      database.db.select().from(outbox).where(eq(outbox.topic, topic)).orderBy(asc(outbox.id)),
    async tokenOf(invitationId) {
      const [row] = await database.db
        .select({ token: sql<string>`${outbox.payload} ->> 'token'` })
        .from(outbox)
        .where(
          and(
            eq(outbox.topic, 'feedback.invitation_issued'),
            sql`${outbox.payload} ->> 'invitationId' = ${invitationId}`,
          ),
        );
      if (!row?.token) throw new Error(`no token for invitation ${invitationId}`);
      return row.token;
    },
    async close() {
      await database.close();
      await testDb.drop();
    },
  };
}

/** The feedback subgraph alone over HTTP, on the harness's database and clock (no bus: events stay in the outbox). */
export async function startFeedbackServer(
  harness: FeedbackHarness,
  config: Partial<FeedbackConfig> = {},
): Promise<RunningServer> {
  return startSubgraph(createFeedbackSubgraph({ now: () => harness.clock.now, config }), {
    database: harness.database,
    logger,
    pii: createPiiCipher('test-only-pii-secret-0123456789'),
    port: 0,
  });
}

export interface GraphQLResponse<T> {
  data?: T;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

export async function gql<T>(
  server: RunningServer,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<GraphQLResponse<T>> {
  const res = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as GraphQLResponse<T>;
}

/** A touchpoint payload for a delivered order, with overridable fields. */
export function delivered(
  customerId: string,
  at: Date,
  extra: Partial<EventTopics['sales.order_delivered']> = {},
): EventTopics['sales.order_delivered'] {
  return {
    orderId: randomUUID(),
    customerId,
    dealerCode: 'SH01',
    vin: null,
    modelCode: 'HAVAL-H6-2024',
    at: at.toISOString(),
    ...extra,
  };
}

export const days = (n: number) => n * 24 * 60 * 60 * 1000;
export const shift = (at: Date, ms: number) => new Date(at.getTime() + ms);
