import { type RepairOrderStatus, repairOrderStatusEnum } from '../db/schema.ts';
import type { Transitions } from '../stateMachine.ts';

/** The order a repair order moves through (the enum's order); CANCELLED stands outside it. */
export const repairOrderSteps: readonly RepairOrderStatus[] = repairOrderStatusEnum.enumValues.filter(
  (s) => s !== 'CANCELLED',
);

/** One step forward at a time, or CANCELLED from any state that is not final. */
export const repairOrderTransitions: Transitions<RepairOrderStatus> = {
  OPEN: ['DISPATCHED', 'CANCELLED'],
  DISPATCHED: ['IN_REPAIR', 'CANCELLED'],
  IN_REPAIR: ['QUALITY_CHECK', 'CANCELLED'],
  QUALITY_CHECK: ['SETTLED', 'CANCELLED'],
  SETTLED: ['DELIVERED', 'CANCELLED'],
  DELIVERED: [],
  CANCELLED: [],
};

export function isFinal(status: RepairOrderStatus): boolean {
  return repairOrderTransitions[status].length === 0;
}

/**
 * A DMS sends snapshots, so between two syncs an order may have taken several steps: ingest
 * accepts any forward move, but never a move back or out of a final state.
 */
export function ingestMayMove(from: RepairOrderStatus, to: RepairOrderStatus): boolean {
  if (from === to) return true;
  if (isFinal(from)) return false;
  return to === 'CANCELLED' || repairOrderSteps.indexOf(to) > repairOrderSteps.indexOf(from);
}
