import { type EventConsumer, payloadOf } from '@cx/platform';
import { validateVin } from '@cx/platform/domain/vin';
import { openComplaint } from '../complaints/complaints.ts';
import { recordVehicleFacts, type VehicleFact } from '../facts/vehicleFacts.ts';

/** The vehicle_facts fact an event carries, or null when it is not about a (valid) VIN. */
function factOf(event: Parameters<EventConsumer['handle']>[0]): VehicleFact | null {
  const delivered = payloadOf('sales.order_delivered', event);
  const owner = payloadOf('vehicle.ownership_changed', event);
  const vin = validateVin(delivered?.vin ?? owner?.vin ?? '');
  if (!vin.ok) return null;
  if (delivered) {
    return {
      vin: vin.vin,
      customerId: delivered.customerId,
      dealerCode: delivered.dealerCode,
      deliveredAt: new Date(delivered.at),
    };
  }
  return owner ? { vin: vin.vin, customerId: owner.customerId } : null;
}

/**
 * Keeps vehicle_facts (what the care-reminder rules read) in step with the subgraphs that own
 * deliveries and ownership. Each event is handled once, inside its inbox transaction.
 */
export const consumers: readonly EventConsumer[] = [
  {
    name: 'vehicle-facts',
    topics: ['sales.order_delivered', 'vehicle.ownership_changed'],
    async handle(event, { db, logger }) {
      const fact = factOf(event);
      if (!fact) {
        logger.warn({ topic: event.topic, eventId: event.id }, 'event without a valid VIN; skipped');
        return;
      }
      await recordVehicleFacts(db, [fact], new Date(event.occurredAt));
    },
  },
  {
    // Closed loop: a detractor score (NPS 0-6, CSAT 1-2) opens a complaint the dealer must handle.
    name: 'detractor-complaints',
    topics: ['feedback.detractor_received'],
    async handle(event, { db, logger }) {
      const detractor = payloadOf('feedback.detractor_received', event);
      if (!detractor) return;
      const severe = detractor.kind === 'NPS' ? detractor.score <= 3 : detractor.score <= 1;
      const result = await openComplaint(
        db,
        {
          customerId: detractor.customerId,
          dealerCode: detractor.dealerCode,
          severity: severe ? 'HIGH' : 'MEDIUM',
          channel: 'APP',
          description: `Detractor ${detractor.kind} score ${detractor.score} (survey response ${detractor.responseId})${
            detractor.comment ? `: ${detractor.comment}` : ''
          }`,
        },
        { now: new Date(event.occurredAt), actor: 'feedback:closed-loop' },
      );
      if (!result.ok)
        logger.warn({ eventId: event.id, userErrors: result.userErrors }, 'detractor complaint not opened');
    },
  },
];
