import type { Logger } from '../logger.ts';
import type {
  BatchEventHandler,
  DomainEvent,
  EventBus,
  EventHandler,
  PublishManyResult,
  SubscribeOptions,
} from './types.ts';

interface Subscription {
  consumer: string;
  topics: ReadonlySet<string>;
  handler: EventHandler;
  batch?: BatchEventHandler;
}

/**
 * The bus of the embedded single-process default. Publishing waits for every subscriber, so the
 * relay marks an event published only once it was handled; a failing handler makes the relay
 * retry later, and the consumers' inboxes drop the repeats.
 */
export class InProcessBus implements EventBus {
  private readonly subscriptions = new Set<Subscription>();
  private readonly failures = new Map<string, number>();
  constructor(
    private readonly logger?: Logger,
    /** After this many failed deliveries an event is dead-lettered (logged), so it cannot block the stream. */
    private readonly maxAttempts = 5,
  ) {}

  async publish(event: DomainEvent): Promise<void> {
    const { error } = await this.publishMany([event]);
    if (error !== undefined) throw error;
  }

  /**
   * Hands each subscriber its events of the page as one batch (in order). A subscriber that
   * fails at an event stops there and later subscribers get the page only up to it, so the
   * relay re-publishes from that event; subscribers that got further drop the repeats.
   */
  async publishMany(events: readonly DomainEvent[]): Promise<PublishManyResult> {
    let limit = events.length;
    let failure: unknown;
    for (const s of this.subscriptions) {
      const stopped = await this.deliver(s, events, limit);
      if (stopped) {
        limit = stopped.at;
        failure = stopped.error;
      }
    }
    return failure === undefined ? { accepted: limit } : { accepted: limit, error: failure };
  }

  /** Delivers events[0, limit) to one subscriber; says where it stopped if an event failed. */
  private async deliver(
    s: Subscription,
    events: readonly DomainEvent[],
    limit: number,
  ): Promise<{ at: number; error: unknown } | undefined> {
    const mine = events.slice(0, limit).filter((e) => s.topics.has(e.topic));
    if (mine.length === 0) return undefined;
    if (s.batch && mine.length > 1) {
      try {
        await s.batch(mine);
        return undefined;
      } catch (error) {
        // Nothing of the batch committed; one by one, the failing event is found and counted alone.
        this.logger?.debug({ err: error, consumer: s.consumer }, 'event batch failed; handling one by one');
      }
    }
    for (let i = 0; i < limit; i += 1) {
      const event = events[i]!;
      if (!s.topics.has(event.topic)) continue;
      try {
        await s.handler(event);
      } catch (error) {
        const key = `${s.consumer}:${event.id}`;
        const attempts = (this.failures.get(key) ?? 0) + 1;
        this.failures.set(key, attempts);
        const context = { err: error, consumer: s.consumer, topic: event.topic, eventId: event.id, attempts };
        if (attempts >= this.maxAttempts) {
          this.logger?.error(context, 'event dead-lettered after repeated handler failures');
          this.failures.delete(key);
          continue;
        }
        this.logger?.warn(context, 'event handler failed; the relay will retry');
        return { at: i, error };
      }
    }
    return undefined;
  }

  async subscribe(
    consumer: string,
    topics: readonly string[],
    handler: EventHandler,
    options?: SubscribeOptions,
  ): Promise<() => Promise<void>> {
    const subscription: Subscription = { consumer, topics: new Set(topics), handler, batch: options?.batch };
    this.subscriptions.add(subscription);
    return async () => {
      this.subscriptions.delete(subscription);
    };
  }

  async close(): Promise<void> {
    this.subscriptions.clear();
  }
}
