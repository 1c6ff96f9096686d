import type { Db } from '@cx/platform';
import type { RepairOrderRow, RepairOrderStatus } from '../db/schema.ts';
import { inputChecker } from '../inputs.ts';
import { lockRepairOrder, updateRepairOrderStatus } from '../repositories/repairOrders.ts';
import { moveLocked } from '../stateMachine.ts';
import type { Attribution, StepResult } from '../userErrors.ts';
import { isFinal, repairOrderTransitions } from './lifecycle.ts';
import { recordSteps } from './steps.ts';

export interface RepairOrderTransitionInput {
  repairOrderId: string;
  to: RepairOrderStatus;
  note?: string | null;
}

/** Moves a repair order one step and records the step in its timeline, atomically. */
export async function transitionRepairOrder(
  db: Db,
  input: RepairOrderTransitionInput,
  by: Attribution,
): Promise<StepResult<RepairOrderRow>> {
  const check = inputChecker();
  const note = check.optionalText(input.note, 'note', 500);
  return moveLocked(db, check, {
    entity: 'repair order',
    id: input.repairOrderId,
    idField: 'repairOrderId',
    to: input.to,
    toField: 'to',
    transitions: repairOrderTransitions,
    lock: lockRepairOrder,
    async apply(tx, order) {
      const row = await updateRepairOrderStatus(tx, order.id, {
        status: input.to,
        closedAt: isFinal(input.to) ? by.now : order.closedAt,
        updatedAt: by.now,
      });
      await recordSteps(tx, [{ order: row, from: order.status, note }], 'API', by);
      return row;
    },
  });
}
