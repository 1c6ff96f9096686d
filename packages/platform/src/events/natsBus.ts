import {
  AckPolicy,
  type ConsumerConfig,
  type ConsumerMessages,
  connect,
  DeliverPolicy,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  type NatsConnection,
  nanos,
  RetentionPolicy,
  StorageType,
} from 'nats';
import type { Env } from '../env.ts';
import type { Logger } from '../logger.ts';
import type { DomainEvent, EventBus, EventHandler } from './types.ts';

export interface NatsBusOptions {
  /** e.g. nats://127.0.0.1:4222 (NATS_URL). */
  url: string;
  /** One stream holds every topic; its subjects are `<subjectPrefix>.<topic>`. */
  stream?: string;
  /** Defaults to the stream name lower-cased with dots: CX_EVENTS publishes on cx.events.<topic>. */
  subjectPrefix?: string;
  logger?: Logger;
  /** Deliveries of one event to one consumer before it is dead-lettered (logged, then acked). */
  maxDeliver?: number;
  /** First redelivery delay after a failing handler; doubles per attempt, capped at 30 s. */
  retryDelayMs?: number;
  /** A handler that neither acks nor fails within this time gets its event redelivered. */
  ackWaitMs?: number;
  /** JetStream drops a re-publish of the same event id within this window (relay retries, two relays). */
  duplicateWindowMs?: number;
  /** How long the stream keeps events, so a consumer that was down catches up. */
  maxAgeMs?: number;
}

const defaults = {
  stream: 'CX_EVENTS',
  maxDeliver: 5,
  retryDelayMs: 1_000,
  ackWaitMs: 30_000,
  duplicateWindowMs: 10 * 60_000,
  maxAgeMs: 7 * 24 * 3_600_000,
};

/** A NATS subject token: the topic's dots become subject levels, anything else a subject forbids is rejected. */
const topicPattern = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;

/** The subjects of a stream unless told otherwise: CX_EVENTS publishes on cx.events.<topic>. */
export function subjectPrefixFor(stream: string): string {
  return stream.toLowerCase().replaceAll('_', '.');
}

/** Durable names may not contain dots: `sales.projection` becomes `sales_projection`. */
export function durableName(consumer: string): string {
  return consumer.replace(/[^A-Za-z0-9_-]/g, '_');
}

/**
 * The narrowest single filter covering the topics. NATS 2.9 (Debian) has one filter subject per
 * consumer, and a consumer must see its topics in one ordered sequence (merged before unmerged),
 * so several topics share their common prefix and the handler skips the others.
 */
export function filterSubject(prefix: string, topics: readonly string[]): string {
  if (topics.length === 1) return `${prefix}.${topics[0]}`;
  const split = topics.map((t) => t.split('.'));
  const common: string[] = [];
  for (let i = 0; split.every((parts) => i < parts.length - 1 && parts[i] === split[0]![i]); i += 1) {
    common.push(split[0]![i]!);
  }
  return [prefix, ...common, '>'].join('.');
}

/**
 * The bus between processes: one JetStream stream, a subject per topic, and a durable pull
 * consumer per consumer name, so replicas of a subgraph share one consumer and each event goes
 * to one of them. Publishing resolves once JetStream stored the event (the relay then marks it
 * published); the event id is the message id, so re-publishing within the duplicate window is a
 * no-op. A delivery is acked after the handler returned (its transaction committed) and nak'ed
 * with a growing delay when it threw; the consumer's inbox still drops repeats. At most one
 * event per consumer is in flight, so each consumer sees its topics in publish order, as with
 * the in-process bus.
 */
export class NatsBus implements EventBus {
  private readonly js: JetStreamClient;
  private readonly settings: Required<Omit<NatsBusOptions, 'url' | 'logger'>>;
  private readonly subscriptions = new Set<{ messages: ConsumerMessages; done: Promise<void> }>();
  private readonly encoder = new TextEncoder();

  private constructor(
    private readonly nc: NatsConnection,
    private readonly jsm: JetStreamManager,
    options: NatsBusOptions,
    private readonly logger?: Logger,
  ) {
    this.js = nc.jetstream();
    const stream = options.stream ?? defaults.stream;
    this.settings = {
      stream,
      subjectPrefix: options.subjectPrefix ?? subjectPrefixFor(stream),
      maxDeliver: options.maxDeliver ?? defaults.maxDeliver,
      retryDelayMs: options.retryDelayMs ?? defaults.retryDelayMs,
      ackWaitMs: options.ackWaitMs ?? defaults.ackWaitMs,
      duplicateWindowMs: options.duplicateWindowMs ?? defaults.duplicateWindowMs,
      maxAgeMs: options.maxAgeMs ?? defaults.maxAgeMs,
    };
  }

  /** Connects and creates the stream if it does not exist yet (replicas race on this harmlessly). */
  static async connect(options: NatsBusOptions): Promise<NatsBus> {
    const nc = await connect({ servers: options.url, name: 'cx-event-bus', maxReconnectAttempts: -1 });
    try {
      const bus = new NatsBus(nc, await nc.jetstreamManager(), options, options.logger);
      await bus.ensureStream();
      return bus;
    } catch (error) {
      await nc.close();
      throw error;
    }
  }

  get stream(): string {
    return this.settings.stream;
  }

  get manager(): JetStreamManager {
    return this.jsm;
  }

  subjectFor(topic: string): string {
    if (!topicPattern.test(topic)) throw new Error(`topic "${topic}" is not a valid NATS subject`);
    return `${this.settings.subjectPrefix}.${topic}`;
  }

  private async ensureStream(): Promise<void> {
    const { stream, subjectPrefix, duplicateWindowMs, maxAgeMs } = this.settings;
    const exists = await this.jsm.streams.info(stream).then(
      () => true,
      () => false,
    );
    if (exists) return;
    try {
      await this.jsm.streams.add({
        name: stream,
        subjects: [`${subjectPrefix}.>`],
        retention: RetentionPolicy.Limits,
        storage: StorageType.File,
        duplicate_window: nanos(duplicateWindowMs),
        max_age: nanos(maxAgeMs),
      });
    } catch (error) {
      // Another replica created it between our check and our add.
      if (
        !(await this.jsm.streams.info(stream).then(
          () => true,
          () => false,
        ))
      )
        throw error;
    }
  }

  async publish(event: DomainEvent): Promise<void> {
    await this.js.publish(this.subjectFor(event.topic), this.encoder.encode(JSON.stringify(event)), {
      msgID: event.id,
    });
  }

  async subscribe(
    consumer: string,
    topics: readonly string[],
    handler: EventHandler,
  ): Promise<() => Promise<void>> {
    const { stream, subjectPrefix, maxDeliver, ackWaitMs } = this.settings;
    for (const topic of topics) this.subjectFor(topic);
    const durable = durableName(consumer);
    const config: Partial<ConsumerConfig> = {
      durable_name: durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      filter_subject: filterSubject(subjectPrefix, topics),
      max_deliver: maxDeliver,
      ack_wait: nanos(ackWaitMs),
      max_ack_pending: 1,
    };
    try {
      await this.jsm.consumers.add(stream, config);
    } catch (error) {
      // Another replica created the same durable with the same config first; anything else is real.
      if (
        !(await this.jsm.consumers.info(stream, durable).then(
          () => true,
          () => false,
        ))
      )
        throw error;
    }
    const messages = await (await this.js.consumers.get(stream, durable)).consume({ max_messages: 8 });
    const wanted = new Set(topics);
    const done = (async () => {
      for await (const message of messages) await this.deliver(consumer, wanted, handler, message);
    })().catch((error: unknown) => {
      // The iterator ends with an error when the connection closes under it; undelivered events stay in the stream.
      this.logger?.warn({ err: error, consumer }, 'event consumer stopped');
    });
    const subscription = { messages, done };
    this.subscriptions.add(subscription);
    return async () => {
      if (!this.subscriptions.delete(subscription)) return;
      await messages.close();
      await done;
    };
  }

  private async deliver(
    consumer: string,
    wanted: ReadonlySet<string>,
    handler: EventHandler,
    message: JsMsg,
  ): Promise<void> {
    let event: DomainEvent;
    try {
      event = message.json<DomainEvent>();
    } catch (error) {
      this.logger?.error(
        { err: error, consumer, subject: message.subject },
        'unreadable event dead-lettered',
      );
      message.ack();
      return;
    }
    if (!wanted.has(event.topic)) {
      message.ack();
      return;
    }
    const attempts = message.info.deliveryCount;
    try {
      await handler(event);
      message.ack();
    } catch (error) {
      const context = { err: error, consumer, topic: event.topic, eventId: event.id, attempts };
      if (attempts >= this.settings.maxDeliver) {
        this.logger?.error(context, 'event dead-lettered after repeated handler failures');
        // Acked, not term()ed: NATS 2.9 holds a terminated message's ack-pending slot until ack_wait,
        // which would stall the consumer behind it. The log line is the dead-letter record.
        message.ack();
        return;
      }
      this.logger?.warn(context, 'event handler failed; redelivery scheduled');
      message.nak(Math.min(this.settings.retryDelayMs * 2 ** (attempts - 1), 30_000));
    }
  }

  async close(): Promise<void> {
    for (const s of [...this.subscriptions]) {
      this.subscriptions.delete(s);
      await s.messages.close();
      await s.done;
    }
    await this.nc.drain();
  }
}

/** The bus between processes when NATS_URL is set; without it there is none (one process uses InProcessBus). */
export async function connectNatsBusFromEnv(
  env: Pick<Env, 'NATS_URL' | 'NATS_STREAM'>,
  logger: Logger,
): Promise<NatsBus | undefined> {
  if (!env.NATS_URL) return undefined;
  return NatsBus.connect({ url: env.NATS_URL, stream: env.NATS_STREAM, logger });
}
