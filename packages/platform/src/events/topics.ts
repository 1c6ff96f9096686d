/**
 * The event contract between subgraphs: topic names and payloads. A producer writes these to its
 * outbox inside the transaction that makes the change; consumers keep local projections.
 * Instants are ISO strings (payloads are JSON).
 */
export interface EventTopics {
  /** customer: two customers turned out to be one person. */
  'customer.merged': { mergeId: string; survivorId: string; mergedId: string };
  /** customer: a merge was undone; references to mergedId are the restored customer's again. */
  'customer.unmerged': { mergeId: string; survivorId: string; restoredId: string };
  /**
   * customer: what one transaction changed of its customers' consents: one entry per customer, one
   * change per purpose (a first refusal included: to consumers no statement is not a refusal). One
   * event per transaction, since an ingest batch changes a thousand customers' consents at once.
   */
  'customer.consent_changes': {
    customers: { customerId: string; changes: { purpose: string; granted: boolean }[] }[];
    at: string;
  };
  /** customer, before consent_changes (one event per customer): still consumed, no longer produced. */
  'customer.consents_changed': {
    customerId: string;
    changes: { purpose: string; granted: boolean }[];
    at: string;
  };
  /** customer, before consents_changed (one event per purpose): still consumed, no longer produced. */
  'customer.consent_changed': { customerId: string; purpose: string; granted: boolean; at: string };
  /**
   * customer: a PIPL erasure was committed for a customer (the root of its merge tree); every other
   * subgraph erases the PII it holds under customerId and mergedIds (and its own aliases of them),
   * then answers with 'customer.erasure_completed'.
   */
  'customer.erased': { erasureId: string; customerId: string; mergedIds: string[]; at: string };
  /** any subgraph: it finished erasing a customer (see 'customer.erased'). */
  'customer.erasure_completed': { erasureId: string; customerId: string; subgraph: string; at: string };
  /** vehicle: who owns a vehicle now. */
  'vehicle.ownership_changed': {
    vin: string;
    customerId: string;
    modelCode: string;
    brand: string;
    startedAt: string;
  };
  /** sales: touchpoints. */
  'sales.test_drive_completed': {
    testDriveId: string;
    customerId: string;
    dealerCode: string;
    modelCode: string | null;
    at: string;
  };
  'sales.order_delivered': {
    orderId: string;
    customerId: string;
    dealerCode: string;
    vin: string | null;
    modelCode: string | null;
    at: string;
  };
  /** service: touchpoints. */
  'service.repair_order_closed': {
    repairOrderId: string;
    customerId: string | null;
    dealerCode: string;
    vin: string;
    firstMaintenance: boolean;
    at: string;
  };
  'service.complaint_opened': {
    complaintId: string;
    customerId: string;
    dealerCode: string | null;
    severity: string;
    at: string;
  };
  'service.complaint_resolved': {
    complaintId: string;
    customerId: string;
    dealerCode: string | null;
    at: string;
  };
  'service.roadside_closed': {
    caseId: string;
    customerId: string;
    dealerCode: string | null;
    vin: string | null;
    at: string;
  };
  /** feedback: a detractor score closes the loop with a complaint in service. */
  'feedback.detractor_received': {
    responseId: string;
    customerId: string;
    dealerCode: string | null;
    kind: 'NPS' | 'CSAT' | 'CES';
    score: number;
    comment: string | null;
    at: string;
  };
  'feedback.response_received': {
    responseId: string;
    customerId: string;
    dealerCode: string | null;
    kind: 'NPS' | 'CSAT' | 'CES';
    score: number;
    at: string;
  };
  /** sales: a dealer was created or changed; feedback keeps dealer -> region for REGION scores. */
  'sales.dealer_changed': {
    dealerCode: string;
    name: string;
    city: string;
    province: string;
    region: string;
    at: string;
  };
  /**
   * feedback: an invitation for the messaging channel (SMS/push) to deliver. `token` is the one
   * clear copy of the response token (the invitation keeps only its hash); feedback removes it
   * from its outbox row once the bus has taken the event.
   */
  'feedback.invitation_issued': {
    invitationId: string;
    customerId: string;
    surveyId: string;
    kind: 'NPS' | 'CSAT' | 'CES';
    touchpoint: string;
    dealerCode: string | null;
    question: string;
    token: string;
    expiresAt: string;
    at: string;
  };
}

export type Topic = keyof EventTopics;

/** A typed event to publish: `event('service.repair_order_closed', key, payload)`. */
export function event<T extends Topic>(
  topic: T,
  key: string,
  payload: EventTopics[T],
): { topic: T; key: string; payload: Record<string, unknown> } {
  return { topic, key, payload: payload as unknown as Record<string, unknown> };
}

/** Narrows a received event's payload by topic. */
export function payloadOf<T extends Topic>(
  topic: T,
  event: { topic: string; payload: Record<string, unknown> },
): EventTopics[T] | null {
  return event.topic === topic ? (event.payload as unknown as EventTopics[T]) : null;
}
