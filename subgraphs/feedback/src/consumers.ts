import {
  type Db,
  type DomainEvent,
  type EventConsumer,
  type EventTopics,
  isUuid,
  type Logger,
  payloadOf,
} from '@cx/platform';
import type { FeedbackRules } from './config.ts';
import { issueInvitation } from './invitations/issueInvitation.ts';
import { touchpointOf, touchpointTopics } from './invitations/touchpoints.ts';
import { upsertConsents, upsertDealer, upsertVehicle } from './repositories/projections.ts';

function instant(value: string): Date | null {
  const at = new Date(value);
  return Number.isNaN(at.getTime()) ? null : at;
}

/** The events feedback consumes; each `handle` runs once per event id, inside its transaction. */
export function createConsumers(rules: FeedbackRules): EventConsumer[] {
  return [
    {
      name: 'invitations',
      topics: touchpointTopics,
      async handle(event, { db, logger }) {
        const fact = touchpointOf(event);
        if (!fact) {
          logger.warn(
            { topic: event.topic, eventId: event.id },
            'touchpoint without a usable customer; skipped',
          );
          return;
        }
        const result = await issueInvitation(db, fact, rules);
        logger.info(
          {
            touchpoint: fact.touchpoint,
            sourceRef: fact.sourceRef,
            outcome: result.outcome,
            reason: result.outcome === 'SUPPRESSED' ? result.suppression.reason : undefined,
            invitationId: result.outcome === 'INVITED' ? result.invitation.id : undefined,
          },
          'survey touchpoint decided',
        );
      },
    },
    {
      name: 'projections',
      topics: [
        'customer.consent_changes',
        'customer.consents_changed',
        'customer.consent_changed',
        'sales.dealer_changed',
        'vehicle.ownership_changed',
      ],
      handle: applyProjection,
    },
  ];
}

type ConsentChanges = EventTopics['customer.consent_changes']['customers'];

/**
 * The consent facts of one event's customers. One row per customer and purpose (the later entry
 * wins): one upsert cannot touch a row twice, and an event that made it fail would fail on every
 * redelivery. Malformed entries are skipped, not fatal, for the same reason.
 */
function consentFacts(customers: ConsentChanges, changedAt: Date) {
  const granted = new Map<
    string,
    { customerId: string; purpose: string; granted: boolean; changedAt: Date }
  >();
  for (const c of customers) {
    if (typeof c?.customerId !== 'string' || !isUuid(c.customerId) || !Array.isArray(c.changes)) continue;
    const customerId = c.customerId.toLowerCase();
    for (const change of c.changes)
      if (typeof change?.purpose === 'string' && typeof change?.granted === 'boolean')
        granted.set(`${customerId} ${change.purpose}`, {
          customerId,
          purpose: change.purpose,
          granted: change.granted,
          changedAt,
        });
  }
  return [...granted.values()];
}

async function applyProjection(
  event: DomainEvent,
  { db, logger }: { db: Db; logger: Logger },
): Promise<void> {
  const changes = payloadOf('customer.consent_changes', event);
  const changesAt = changes && instant(changes.at);
  if (changesAt && Array.isArray(changes.customers))
    return upsertConsents(db, consentFacts(changes.customers, changesAt));
  // Events of producers older than consent_changes, still in the stream after an upgrade.
  const consents = payloadOf('customer.consents_changed', event);
  const consentsAt = consents && instant(consents.at);
  if (consentsAt && Array.isArray(consents.changes))
    return upsertConsents(db, consentFacts([consents], consentsAt));
  const consent = payloadOf('customer.consent_changed', event);
  if (consent) {
    const changedAt = instant(consent.at);
    if (changedAt && isUuid(consent.customerId)) {
      return upsertConsents(db, [
        {
          customerId: consent.customerId.toLowerCase(),
          purpose: consent.purpose,
          granted: consent.granted,
          changedAt,
        },
      ]);
    }
  }
  const dealer = payloadOf('sales.dealer_changed', event);
  if (dealer) {
    const changedAt = instant(dealer.at);
    if (changedAt) return upsertDealer(db, { code: dealer.dealerCode, region: dealer.region, changedAt });
  }
  const ownership = payloadOf('vehicle.ownership_changed', event);
  if (ownership) {
    const changedAt = instant(ownership.startedAt);
    if (changedAt)
      return upsertVehicle(db, { vin: ownership.vin, modelCode: ownership.modelCode, changedAt });
  }
  logger.warn({ topic: event.topic, eventId: event.id }, 'unreadable projection event; skipped');
}
