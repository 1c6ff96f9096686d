import { type DomainEvent, type EventTopics, isUuid } from '@cx/platform';
import type { Touchpoint } from '../db/schema.ts';

/** A touchpoint that happened in another subgraph, as its event tells it. */
export interface TouchpointFact {
  touchpoint: Touchpoint;
  customerId: string;
  dealerCode: string | null;
  modelCode: string | null;
  vin: string | null;
  /** The touchpoint's id in its own subgraph; one decision per (touchpoint, sourceRef). */
  sourceRef: string;
  sourceTopic: string;
  sourceEventId: string;
  at: Date;
}

type Mapped = Omit<TouchpointFact, 'customerId' | 'sourceTopic' | 'sourceEventId' | 'at'> & {
  customerId: string | null;
  at: string;
};

/** How each producer's payload reads as a touchpoint; the keys are the topics consumed. */
const mappers: { [T in keyof EventTopics]?: (p: EventTopics[T]) => Mapped } = {
  'sales.test_drive_completed': (p) => ({
    touchpoint: 'TEST_DRIVE',
    customerId: p.customerId,
    dealerCode: p.dealerCode,
    modelCode: p.modelCode,
    vin: null,
    sourceRef: p.testDriveId,
    at: p.at,
  }),
  'sales.order_delivered': (p) => ({
    touchpoint: 'DELIVERY',
    customerId: p.customerId,
    dealerCode: p.dealerCode,
    modelCode: p.modelCode,
    vin: p.vin,
    sourceRef: p.orderId,
    at: p.at,
  }),
  'service.repair_order_closed': (p) => ({
    touchpoint: p.firstMaintenance ? 'FIRST_MAINTENANCE' : 'REPAIR_ORDER_CLOSED',
    customerId: p.customerId,
    dealerCode: p.dealerCode,
    modelCode: null,
    vin: p.vin,
    sourceRef: p.repairOrderId,
    at: p.at,
  }),
  'service.complaint_resolved': (p) => ({
    touchpoint: 'COMPLAINT_RESOLVED',
    customerId: p.customerId,
    dealerCode: p.dealerCode,
    modelCode: null,
    vin: null,
    sourceRef: p.complaintId,
    at: p.at,
  }),
  'service.roadside_closed': (p) => ({
    touchpoint: 'ROADSIDE_CLOSED',
    customerId: p.customerId,
    dealerCode: p.dealerCode,
    modelCode: null,
    vin: p.vin,
    sourceRef: p.caseId,
    at: p.at,
  }),
};

export const touchpointTopics = Object.keys(mappers);

/**
 * Null for other topics, or when the event names no valid customer (a repair order of an
 * unknown customer has nobody to ask) or carries an unreadable time.
 */
export function touchpointOf(event: DomainEvent): TouchpointFact | null {
  const map = mappers[event.topic as keyof EventTopics] as
    | ((p: Record<string, unknown>) => Mapped)
    | undefined;
  const fact = map?.(event.payload);
  if (!fact?.customerId || !isUuid(fact.customerId) || !fact.sourceRef) return null;
  const at = new Date(fact.at);
  if (Number.isNaN(at.getTime())) return null;
  return {
    ...fact,
    customerId: fact.customerId.toLowerCase(),
    sourceTopic: event.topic,
    sourceEventId: event.id,
    at,
  };
}
