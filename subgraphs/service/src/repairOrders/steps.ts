import type { Db } from '@cx/platform';
import type { RepairOrderRow, RepairOrderStatus } from '../db/schema.ts';
import { publishRepairOrdersClosed } from '../events/publish.ts';
import { insertRepairOrderEvents } from '../repositories/repairOrderEvents.ts';
import type { Attribution } from '../userErrors.ts';

export interface Step {
  /** The order after the step. */
  order: RepairOrderRow;
  /** Its status before, null when the step created it. */
  from: RepairOrderStatus | null;
  note?: string | null;
}

/**
 * Records status changes in the timeline and announces deliveries to other subgraphs, inside the
 * caller's transaction: the API and DMS ingest take steps the same way.
 */
export async function recordSteps(
  tx: Db,
  steps: readonly Step[],
  source: 'API' | 'INGEST',
  by: Attribution,
): Promise<void> {
  const taken = steps.filter((s) => s.from !== s.order.status);
  await insertRepairOrderEvents(
    tx,
    taken.map((s) => ({
      repairOrderId: s.order.id,
      fromStatus: s.from,
      toStatus: s.order.status,
      source,
      actor: by.actor,
      note: s.note ?? null,
      occurredAt: by.now,
    })),
  );
  await publishRepairOrdersClosed(
    tx,
    taken.filter((s) => s.order.status === 'DELIVERED').map((s) => s.order),
    by.now,
  );
}
