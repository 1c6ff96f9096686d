import type { Logger } from '../logger.ts';
import type { DomainEvent, EventBus, EventHandler } from './types.ts';

interface Subscription {
  consumer: string;
  topics: ReadonlySet<string>;
  handler: EventHandler;
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
    for (const s of this.subscriptions) {
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
        throw error;
      }
    }
  }

  async subscribe(
    consumer: string,
    topics: readonly string[],
    handler: EventHandler,
  ): Promise<() => Promise<void>> {
    const subscription = { consumer, topics: new Set(topics), handler };
    this.subscriptions.add(subscription);
    return async () => {
      this.subscriptions.delete(subscription);
    };
  }

  async close(): Promise<void> {
    this.subscriptions.clear();
  }
}
