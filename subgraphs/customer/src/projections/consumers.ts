import { type Db, type DomainEvent, type EventConsumer, payloadOf } from '@cx/platform';
import type { CustomerFactsRow } from '../db/schema.ts';
import { findFacts } from '../repositories/tags.ts';
import { type DealerRelationship, upsertDealerRelationships } from './dealerRelationships.ts';
import { type FactsUpdate, upsertCustomerFacts } from './facts.ts';

const later = (a: Date | null | undefined, b: Date) => (a && a > b ? a : b);
const earlier = (a: Date | null | undefined, b: Date) => (a && a < b ? a : b);

/** The facts an event changes, given what the projection holds for the customer; null if none. */
export function factsFrom(event: DomainEvent, held: CustomerFactsRow | null): FactsUpdate | null {
  const owner = payloadOf('vehicle.ownership_changed', event);
  if (owner)
    return {
      customerId: owner.customerId,
      ownedBrands: [...new Set([...(held?.ownedBrands ?? []), owner.brand])].sort(),
      vehicleSince: earlier(held?.vehicleSince, new Date(owner.startedAt)),
    };
  const repair = payloadOf('service.repair_order_closed', event);
  if (repair?.customerId)
    return { customerId: repair.customerId, lastServiceAt: later(held?.lastServiceAt, new Date(repair.at)) };
  const opened = payloadOf('service.complaint_opened', event);
  if (opened) return { customerId: opened.customerId, openComplaints: (held?.openComplaints ?? 0) + 1 };
  const resolved = payloadOf('service.complaint_resolved', event);
  if (resolved)
    return { customerId: resolved.customerId, openComplaints: Math.max(0, (held?.openComplaints ?? 0) - 1) };
  const response = payloadOf('feedback.response_received', event);
  if (response?.kind === 'NPS') {
    const at = new Date(response.at);
    // Responses may arrive out of order: only a newer answer replaces the latest score.
    if (held?.lastNpsAt && held.lastNpsAt > at) return null;
    return { customerId: response.customerId, lastNpsScore: response.score, lastNpsAt: at };
  }
  return null;
}

/** Events that tie a customer to a dealer, and how. Their payloads share customerId, dealerCode, at. */
const relationshipKinds = {
  'sales.order_delivered': 'PURCHASE',
  'sales.test_drive_completed': 'TEST_DRIVE',
  'service.repair_order_closed': 'SERVICE',
} as const;

/** The dealer relationship an event shows, for `customers(filter: { dealerCode })`. */
export function relationshipFrom(event: DomainEvent): DealerRelationship | null {
  const kind = relationshipKinds[event.topic as keyof typeof relationshipKinds];
  if (!kind) return null;
  const p = payloadOf(event.topic as keyof typeof relationshipKinds, event);
  // A repair order may have no known customer (a walk-in): no relationship to record.
  if (!p?.customerId) return null;
  return { customerId: p.customerId, dealerCode: p.dealerCode, kind, at: new Date(p.at) };
}

async function project(db: Db, event: DomainEvent, now: Date): Promise<void> {
  const relationship = relationshipFrom(event);
  if (relationship) await upsertDealerRelationships(db, [relationship]);
  const customerId = (event.payload as { customerId?: unknown }).customerId;
  if (typeof customerId !== 'string') return;
  const [held] = await findFacts(db, [customerId]);
  const facts = factsFrom(event, held ?? null);
  if (facts) await upsertCustomerFacts(db, [facts], now);
}

/**
 * Keeps the customer_facts and dealer_relationships projections in step with the subgraphs that
 * own vehicles, repairs, complaints, orders and survey answers. Each event is handled once, in its
 * inbox transaction; the facts upsert refreshes the person's tags.
 */
export function createConsumers(clock: () => Date = () => new Date()): readonly EventConsumer[] {
  return [
    {
      name: 'facts',
      topics: [
        'vehicle.ownership_changed',
        'service.repair_order_closed',
        'service.complaint_opened',
        'service.complaint_resolved',
        'feedback.response_received',
        'sales.order_delivered',
        'sales.test_drive_completed',
      ],
      handle: (event, { db }) => project(db, event, clock()),
    },
  ];
}
