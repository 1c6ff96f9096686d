/** A fact one subgraph publishes for others: written to its outbox in the same transaction as the change. */
export interface DomainEvent<TPayload = Record<string, unknown>> {
  /** Unique per event; consumers handle each id once. */
  id: string;
  /** e.g. 'customer.merged', 'service.repair_order.closed'. */
  topic: string;
  /** The entity the event is about (customer id, VIN, ...). */
  key: string;
  payload: TPayload;
  /** The subgraph that published it. */
  source: string;
  /** Gap-free position in the source's outbox. */
  position: number;
  occurredAt: string;
}

export type EventHandler = (event: DomainEvent) => Promise<void>;

/** Handles a run of a consumer's events, in order, all or nothing (one transaction). */
export type BatchEventHandler = (events: readonly DomainEvent[]) => Promise<void>;

export interface SubscribeOptions {
  /**
   * Takes the events a bus has at hand in one call; when it throws, the bus hands the same
   * events to the per-event handler one by one, so a poison event fails (and is dead-lettered)
   * alone and its neighbours still apply.
   */
  batch?: BatchEventHandler;
}

/** How many leading events of a publishMany the bus accepted, and why it stopped if not all. */
export interface PublishManyResult {
  accepted: number;
  error?: unknown;
}

/** NATS JetStream between processes, or in-process in the embedded single-process default. */
export interface EventBus {
  publish(event: DomainEvent): Promise<void>;
  /** Publishes a page in order with its writes pipelined; buses without it get one publish per event. */
  publishMany?(events: readonly DomainEvent[]): Promise<PublishManyResult>;
  /** A durable, named consumer of some topics; each delivery is at least once. */
  subscribe(
    consumer: string,
    topics: readonly string[],
    handler: EventHandler,
    options?: SubscribeOptions,
  ): Promise<() => Promise<void>>;
  close(): Promise<void>;
}
