import type { Db } from '@cx/platform';
import type { WarrantyClaimRow } from '../db/schema.ts';
import { inputChecker } from '../inputs.ts';
import { lockRepairOrder } from '../repositories/repairOrders.ts';
import { findVehicleFactsByVins } from '../repositories/vehicleFacts.ts';
import {
  insertWarrantyClaim,
  lockWarrantyClaim,
  updateWarrantyClaim,
} from '../repositories/warrantyClaims.ts';
import { moveLocked, type Transitions } from '../stateMachine.ts';
import { type Attribution, done, rejected, type StepResult, userError } from '../userErrors.ts';
import { outOfWarranty } from './terms.ts';

type ClaimStatus = WarrantyClaimRow['status'];

/** The maker decides a submitted claim; an approved one is then paid to the dealer. */
export const warrantyClaimTransitions: Transitions<ClaimStatus> = {
  SUBMITTED: ['APPROVED', 'REJECTED'],
  APPROVED: ['PAID'],
  REJECTED: [],
  PAID: [],
};

export interface WarrantyClaimFileInput {
  repairOrderId: string;
  description: string;
  amount: string;
}

/** Files a claim for a repair order, refused when the order was cancelled or the car is out of warranty. */
export async function fileWarrantyClaim(
  db: Db,
  input: WarrantyClaimFileInput,
  by: Attribution,
): Promise<StepResult<WarrantyClaimRow>> {
  const check = inputChecker();
  const repairOrderId = check.uuid(input.repairOrderId, 'repairOrderId', 'repair order');
  const description = check.text(input.description, 'description', 2000);
  const amount = check.amount(input.amount, 'amount');
  if (check.errors.length > 0) return rejected(...check.errors);
  return db.transaction(async (tx) => {
    // Locked so that a concurrent cancellation cannot slip in between the check and the insert.
    const order = await lockRepairOrder(tx, repairOrderId);
    if (!order)
      return rejected(userError('repairOrderId', 'NOT_FOUND', `repair order ${repairOrderId} was not found`));
    if (order.status === 'CANCELLED')
      return rejected(userError('repairOrderId', 'REPAIR_ORDER_CANCELLED', 'the repair order was cancelled'));
    const [facts] = await findVehicleFactsByVins(tx, [order.vin]);
    const expired = outOfWarranty(facts ?? null, order.openedAt, order.mileageKm);
    if (expired) return rejected(userError('repairOrderId', 'WARRANTY_EXPIRED', expired));
    const row = await insertWarrantyClaim(tx, {
      repairOrderId,
      vin: order.vin,
      description,
      amount,
      currency: order.currency,
      filedAt: by.now,
      filedBy: by.actor,
    });
    return done(row);
  });
}

export interface WarrantyClaimDecideInput {
  warrantyClaimId: string;
  status: ClaimStatus;
  note?: string | null;
}

/** Approves, rejects (with a reason) or marks paid, along warrantyClaimTransitions. */
export async function decideWarrantyClaim(
  db: Db,
  input: WarrantyClaimDecideInput,
  by: Attribution,
): Promise<StepResult<WarrantyClaimRow>> {
  const check = inputChecker();
  const note = check.optionalText(input.note, 'note', 2000);
  if (input.status === 'REJECTED' && !note) check.fail('note', 'REQUIRED', 'a rejection needs a reason');
  return moveLocked(db, check, {
    entity: 'warranty claim',
    id: input.warrantyClaimId,
    idField: 'warrantyClaimId',
    to: input.status,
    toField: 'status',
    transitions: warrantyClaimTransitions,
    lock: lockWarrantyClaim,
    apply: (tx, claim) =>
      updateWarrantyClaim(
        tx,
        claim.id,
        input.status === 'PAID'
          ? { status: 'PAID', paidAt: by.now }
          : { status: input.status, decidedAt: by.now, decidedBy: by.actor, decisionNote: note },
      ),
  });
}
