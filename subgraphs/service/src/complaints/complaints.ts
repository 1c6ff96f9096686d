import type { Db } from '@cx/platform';
import type { ComplaintRow, ComplaintSlaPolicyRow } from '../db/schema.ts';
import { publishComplaintOpened, publishComplaintResolved } from '../events/publish.ts';
import { type InputChecker, inputChecker } from '../inputs.ts';
import {
  insertComplaint,
  lockComplaint,
  updateComplaint,
  updateSlaPolicy,
} from '../repositories/complaints.ts';
import { moveLocked, type Transitions } from '../stateMachine.ts';
import { type Attribution, done, rejected, type StepResult } from '../userErrors.ts';

type ComplaintStatus = ComplaintRow['status'];
export type ComplaintSeverity = ComplaintRow['severity'];

/** Resolving an unacknowledged complaint acknowledges it too; CLOSED follows the customer's confirmation. */
const complaintTransitions: Transitions<ComplaintStatus> = {
  OPEN: ['ACKNOWLEDGED', 'RESOLVED'],
  ACKNOWLEDGED: ['RESOLVED'],
  RESOLVED: ['CLOSED'],
  CLOSED: [],
};

export const complaintChannels = ['CALL_CENTER', 'APP', 'DEALER', 'SOCIAL_MEDIA', 'EMAIL'] as const;

export interface ComplaintOpenInput {
  customerId: string;
  severity: ComplaintSeverity;
  description: string;
  dealerCode?: string | null;
  repairOrderId?: string | null;
  channel?: (typeof complaintChannels)[number] | null;
}

/** Opens a complaint; its SLA deadlines come from the severity's policy at this moment. */
export async function openComplaint(
  db: Db,
  input: ComplaintOpenInput,
  by: Attribution,
): Promise<StepResult<ComplaintRow>> {
  const check = inputChecker();
  const customerId = check.uuid(input.customerId, 'customerId', 'customer');
  const description = check.text(input.description, 'description', 4000);
  const dealerCode = input.dealerCode?.trim() ? check.dealerCode(input.dealerCode) : null;
  const repairOrderId = input.repairOrderId?.trim()
    ? check.uuid(input.repairOrderId, 'repairOrderId', 'repair order')
    : null;
  if (check.errors.length > 0) return rejected(...check.errors);
  return db.transaction(async (tx) => {
    const row = await insertComplaint(tx, {
      customerId,
      dealerCode,
      repairOrderId,
      severity: input.severity,
      channel: input.channel ?? 'CALL_CENTER',
      description,
      openedAt: by.now,
      openedBy: by.actor,
    });
    await publishComplaintOpened(tx, row);
    return done(row);
  });
}

function moveComplaint(
  db: Db,
  check: InputChecker,
  complaintId: string,
  to: ComplaintStatus,
  change: (complaint: ComplaintRow) => Partial<ComplaintRow>,
  after?: (tx: Db, complaint: ComplaintRow) => Promise<void>,
): Promise<StepResult<ComplaintRow>> {
  return moveLocked(db, check, {
    entity: 'complaint',
    id: complaintId,
    idField: 'complaintId',
    to,
    toField: 'complaintId',
    transitions: complaintTransitions,
    lock: lockComplaint,
    async apply(tx, complaint) {
      const row = await updateComplaint(tx, complaint.id, { status: to, ...change(complaint) });
      await after?.(tx, row);
      return row;
    },
  });
}

export function acknowledgeComplaint(
  db: Db,
  input: { complaintId: string },
  by: Attribution,
): Promise<StepResult<ComplaintRow>> {
  return moveComplaint(db, inputChecker(), input.complaintId, 'ACKNOWLEDGED', () => ({
    acknowledgedAt: by.now,
    acknowledgedBy: by.actor,
  }));
}

export function resolveComplaint(
  db: Db,
  input: { complaintId: string; resolution: string },
  by: Attribution,
): Promise<StepResult<ComplaintRow>> {
  const check = inputChecker();
  const resolution = check.text(input.resolution, 'resolution', 4000);
  return moveComplaint(
    db,
    check,
    input.complaintId,
    'RESOLVED',
    (c) => ({
      acknowledgedAt: c.acknowledgedAt ?? by.now,
      acknowledgedBy: c.acknowledgedBy ?? by.actor,
      resolvedAt: by.now,
      resolvedBy: by.actor,
      resolution,
    }),
    publishComplaintResolved,
  );
}

export interface ComplaintSlaPolicySetInput {
  severity: ComplaintSeverity;
  acknowledgeWithinMinutes: number;
  resolveWithinMinutes: number;
}

/** Changes the SLA of a severity for complaints opened from now on. */
export async function setSlaPolicy(
  db: Db,
  input: ComplaintSlaPolicySetInput,
  by: Attribution,
): Promise<StepResult<ComplaintSlaPolicyRow>> {
  const check = inputChecker();
  const acknowledge = check.intRange(input.acknowledgeWithinMinutes, 'acknowledgeWithinMinutes', 1, 10_080);
  const resolve = check.intRange(input.resolveWithinMinutes, 'resolveWithinMinutes', 1, 43_200);
  if (check.errors.length === 0 && resolve < acknowledge)
    check.fail('resolveWithinMinutes', 'OUT_OF_RANGE', 'must not be shorter than acknowledgeWithinMinutes');
  if (check.errors.length > 0) return rejected(...check.errors);
  const row = await updateSlaPolicy(db, {
    severity: input.severity,
    acknowledgeMinutes: acknowledge,
    resolveMinutes: resolve,
    updatedAt: by.now,
    updatedBy: by.actor,
  });
  return done(row);
}
