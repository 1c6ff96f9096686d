import { type Db, type DomainEvent, type EventConsumer, isUuid, type Logger, payloadOf } from '@cx/platform';
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
        'customer.consents_changed',
        'customer.consent_changed',
        'sales.dealer_changed',
        'vehicle.ownership_changed',
      ],
      handle: applyProjection,
    },
  ];
}

async function applyProjection(
  event: DomainEvent,
  { db, logger }: { db: Db; logger: Logger },
): Promise<void> {
  const consents = payloadOf('customer.consents_changed', event);
  if (consents && Array.isArray(consents.changes)) {
    const changedAt = instant(consents.at);
    if (changedAt && isUuid(consents.customerId)) {
      const customerId = consents.customerId.toLowerCase();
      // One row per purpose (the later entry wins): one upsert cannot touch a row twice, and an
      // event that made it fail would fail on every redelivery.
      const granted = new Map<string, boolean>();
      for (const c of consents.changes)
        if (typeof c?.purpose === 'string' && typeof c?.granted === 'boolean')
          granted.set(c.purpose, c.granted);
      return upsertConsents(
        db,
        [...granted].map(([purpose, value]) => ({ customerId, purpose, granted: value, changedAt })),
      );
    }
  }
  // Events of producers older than consents_changed, still in the stream after an upgrade.
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
