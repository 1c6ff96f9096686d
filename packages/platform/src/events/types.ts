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

/** NATS JetStream between processes, or in-process in the embedded single-process default. */
export interface EventBus {
  publish(event: DomainEvent): Promise<void>;
  /** A durable, named consumer of some topics; each delivery is at least once. */
  subscribe(consumer: string, topics: readonly string[], handler: EventHandler): Promise<() => Promise<void>>;
  close(): Promise<void>;
}
