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
import type {
  BatchEventHandler,
  DomainEvent,
  EventBus,
  EventHandler,
  PublishManyResult,
  SubscribeOptions,
} from './types.ts';

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
  /**
   * Events a consumer holds un-acked (max_ack_pending), and the most one batch takes. Replicas of
   * a consumer each take their own batches, so with several replicas only 1 keeps the consumer's
   * order across them: 1 is the default, raise it (NATS_CONSUMER_BATCH) where every consumer runs
   * in one replica.
   */
  batchSize?: number;
}

const defaults = {
  stream: 'CX_EVENTS',
  maxDeliver: 5,
  retryDelayMs: 1_000,
  ackWaitMs: 30_000,
  duplicateWindowMs: 10 * 60_000,
  maxAgeMs: 7 * 24 * 3_600_000,
  batchSize: 1,
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
 * with a growing delay when it threw; the consumer's inbox still drops repeats. A consumer takes
 * up to batchSize events at once and handles them one batch at a time, in stream order (see
 * BatchWorker), so each consumer sees its topics in publish order, as with the in-process bus.
 */
export class NatsBus implements EventBus {
  private readonly js: JetStreamClient;
  private readonly settings: Required<Omit<NatsBusOptions, 'url' | 'logger'>>;
  /** How to stop each open subscription: its message stream first, then its worker. */
  private readonly subscriptions = new Set<() => Promise<void>>();
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
      batchSize: Math.max(1, options.batchSize ?? defaults.batchSize),
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

  /**
   * Sends every publish of the page before awaiting any ack: one connection keeps their order,
   * and the acks come back together instead of one round trip per event.
   */
  async publishMany(events: readonly DomainEvent[]): Promise<PublishManyResult> {
    const acks = await Promise.allSettled(events.map((e) => this.publish(e)));
    const failed = acks.findIndex((a) => a.status === 'rejected');
    if (failed < 0) return { accepted: events.length };
    return { accepted: failed, error: (acks[failed] as PromiseRejectedResult).reason };
  }

  async subscribe(
    consumer: string,
    topics: readonly string[],
    handler: EventHandler,
    options?: SubscribeOptions,
  ): Promise<() => Promise<void>> {
    const { stream, subjectPrefix, maxDeliver, ackWaitMs, batchSize } = this.settings;
    for (const topic of topics) this.subjectFor(topic);
    const durable = durableName(consumer);
    const config: Partial<ConsumerConfig> = {
      durable_name: durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      filter_subject: filterSubject(subjectPrefix, topics),
      max_deliver: maxDeliver,
      ack_wait: nanos(ackWaitMs),
      max_ack_pending: batchSize,
    };
    try {
      await this.jsm.consumers.add(stream, config);
    } catch (error) {
      // Another replica created the same durable with the same config first; anything else is real.
      const info = await this.jsm.consumers.info(stream, durable).catch(() => undefined);
      if (!info) throw error;
      // Durables created before batching hold max_ack_pending 1, which would keep batches at one event.
      if (info.config.max_ack_pending !== batchSize)
        await this.jsm.consumers
          .update(stream, durable, { max_ack_pending: batchSize })
          .catch((err: unknown) => {
            this.logger?.warn({ err, consumer }, 'could not set max_ack_pending of an existing consumer');
          });
    }
    const worker = new BatchWorker({
      consumer,
      wanted: new Set(topics),
      handler,
      batch: options?.batch,
      maxDeliver,
      retryDelayMs: this.settings.retryDelayMs,
      ackWaitMs,
      batchSize,
      logger: this.logger,
    });
    let messages: ConsumerMessages;
    try {
      messages = await (await this.js.consumers.get(stream, durable)).consume({
        max_messages: batchSize,
        callback: (message) => worker.push(message),
      });
    } catch (error) {
      await worker.stop();
      throw error;
    }
    void messages.closed().then((error) => {
      // Closed under us (connection lost); undelivered events stay in the stream.
      if (error) this.logger?.warn({ err: error, consumer }, 'event consumer stopped');
    });
    const stop = async () => {
      if (!this.subscriptions.delete(stop)) return;
      await messages.close();
      await worker.stop();
    };
    this.subscriptions.add(stop);
    return stop;
  }

  async close(): Promise<void> {
    for (const stop of [...this.subscriptions]) await stop();
    await this.nc.drain();
  }
}

/** The bus between processes when NATS_URL is set; without it there is none (one process uses InProcessBus). */
export async function connectNatsBusFromEnv(
  env: Pick<Env, 'NATS_URL' | 'NATS_STREAM' | 'NATS_CONSUMER_BATCH'>,
  logger: Logger,
): Promise<NatsBus | undefined> {
  if (!env.NATS_URL) return undefined;
  return NatsBus.connect({
    url: env.NATS_URL,
    stream: env.NATS_STREAM,
    batchSize: env.NATS_CONSUMER_BATCH,
    logger,
  });
}

interface BatchWorkerOptions {
  consumer: string;
  wanted: ReadonlySet<string>;
  handler: EventHandler;
  batch?: BatchEventHandler;
  maxDeliver: number;
  retryDelayMs: number;
  ackWaitMs: number;
  batchSize: number;
  logger?: Logger;
}

/**
 * One consumer's deliveries, handled strictly one batch after another: each turn takes what
 * arrived so far (up to batchSize, never waiting for more), hands it to the batch handler and acks
 * it after the commit. When the batch fails, its events go one by one through the per-event
 * handler; an event that fails is nak'ed with a growing delay (dead-lettered, i.e. acked and
 * logged, after maxDeliver deliveries) and the events after it wait, un-acked, for its
 * redelivery, so a consumer never applies an event before the ones published ahead of it.
 */
class BatchWorker {
  private readonly queue: JsMsg[] = [];
  private wake: (() => void) | undefined;
  private stopped = false;
  /** The stream sequence of a nak'ed event the queue waits for, and when to stop waiting (another replica took it). */
  private blocked: { seq: number; until: number } | undefined;
  private readonly done: Promise<void>;

  constructor(private readonly options: BatchWorkerOptions) {
    this.done = this.run().catch((error: unknown) => {
      this.options.logger?.error({ err: error, consumer: options.consumer }, 'event consumer failed');
    });
  }

  push(message: JsMsg): void {
    this.queue.push(message);
    this.notify();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.notify();
    await this.done;
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => this.notify(), ms);
      timer.unref();
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private async run(): Promise<void> {
    const { ackWaitMs } = this.options;
    while (!this.stopped) {
      if (this.blocked && !this.unblock()) {
        // Held events would be redelivered after ack_wait; tell the server they are in progress.
        for (const message of this.queue) message.working();
        await this.sleep(Math.max(1, Math.min(ackWaitMs / 3, this.blocked.until - Date.now())));
        continue;
      }
      if (this.queue.length === 0) {
        await this.sleep(ackWaitMs);
        continue;
      }
      await this.handle(this.queue.splice(0, this.options.batchSize));
    }
    // Back to the stream at once, for another replica or the next start.
    for (const message of this.queue.splice(0)) message.nak();
  }

  /** Puts the awaited redelivery first once it arrived (or gives up waiting); false while still waiting. */
  private unblock(): boolean {
    const blocked = this.blocked!;
    const at = this.queue.findIndex((m) => m.seq === blocked.seq);
    if (at < 0 && Date.now() < blocked.until) return false;
    if (at >= 0) this.queue.unshift(...this.queue.splice(at, 1));
    this.blocked = undefined;
    return true;
  }

  private async handle(messages: JsMsg[]): Promise<void> {
    const { consumer, wanted, batch, logger } = this.options;
    const runs: { message: JsMsg; event: DomainEvent }[] = [];
    for (const message of messages) {
      let event: DomainEvent;
      try {
        event = message.json<DomainEvent>();
      } catch (error) {
        logger?.error({ err: error, consumer, subject: message.subject }, 'unreadable event dead-lettered');
        message.ack();
        continue;
      }
      if (!wanted.has(event.topic)) message.ack();
      else runs.push({ message, event });
    }
    if (batch && runs.length > 1) {
      try {
        await batch(runs.map((r) => r.event));
        for (const r of runs) r.message.ack();
        return;
      } catch (error) {
        // Nothing of the batch committed; one by one, the failing event is found and retried alone.
        logger?.debug({ err: error, consumer }, 'event batch failed; handling one by one');
      }
    }
    for (const [i, r] of runs.entries()) {
      if (await this.deliver(r.message, r.event)) continue;
      this.queue.unshift(...runs.slice(i + 1).map((later) => later.message));
      return;
    }
  }

  /** Handles one event; false when it was nak'ed for a later retry (the queue then waits for it). */
  private async deliver(message: JsMsg, event: DomainEvent): Promise<boolean> {
    const { consumer, handler, maxDeliver, retryDelayMs, ackWaitMs, logger } = this.options;
    const attempts = message.info.deliveryCount;
    try {
      await handler(event);
      message.ack();
      return true;
    } catch (error) {
      const context = { err: error, consumer, topic: event.topic, eventId: event.id, attempts };
      if (attempts >= maxDeliver) {
        logger?.error(context, 'event dead-lettered after repeated handler failures');
        // Acked, not term()ed: NATS 2.9 holds a terminated message's ack-pending slot until ack_wait,
        // which would stall the consumer behind it. The log line is the dead-letter record.
        message.ack();
        return true;
      }
      logger?.warn(context, 'event handler failed; redelivery scheduled');
      const delay = Math.min(retryDelayMs * 2 ** (attempts - 1), 30_000);
      message.nak(delay);
      this.blocked = { seq: message.seq, until: Date.now() + delay + ackWaitMs };
      return false;
    }
  }
}
