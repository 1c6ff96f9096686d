import { type Db, isUuid } from '@cx/platform';
import { type CreateLeadResult, createLead, type LeadUserError } from '../leads/createLead.ts';
import { insertLeadHandoff } from './repositories.ts';

export interface RepairOrderCreateSalesLeadInput {
  repairOrderId: string;
  customerId: string;
  /** What the advisor noticed, e.g. "tires worn out, asks about the H6 HEV". */
  reason: string;
  modelCode?: string | null;
  /** The servicing dealer: the lead goes to its consultants first. */
  dealerCode?: string | null;
}

export const MAX_REASON_LENGTH = 500;

function invalid(field: string, code: string, message: string): CreateLeadResult {
  return {
    lead: null,
    userErrors: [{ field, code, message: `${field}: ${message}` } satisfies LeadUserError],
    duplicate: false,
    assignment: null,
  };
}

/**
 * A service advisor's sales opportunity becomes a SERVICE_HANDOFF lead through the normal
 * createLead flow (duplicate check, assignment, outbox event), and the link to the repair order
 * is written in the same transaction: both or neither.
 */
export async function createHandoffLead(
  db: Db,
  input: RepairOrderCreateSalesLeadInput,
  now: Date,
): Promise<CreateLeadResult> {
  const repairOrderId = input.repairOrderId.trim().toLowerCase();
  const reason = input.reason.trim();
  if (!isUuid(repairOrderId)) return invalid('repairOrderId', 'INVALID_ID', 'is not a repair order id');
  if (!reason) return invalid('reason', 'REQUIRED', 'must not be empty');
  if (reason.length > MAX_REASON_LENGTH)
    return invalid('reason', 'TOO_LONG', `must be at most ${MAX_REASON_LENGTH} characters`);
  return db.transaction(async (tx) => {
    const result = await createLead(
      tx,
      {
        customerId: input.customerId,
        source: 'SERVICE_HANDOFF',
        modelCode: input.modelCode,
        preferredDealerCode: input.dealerCode,
      },
      now,
    );
    if (!result.lead) return result;
    await insertLeadHandoff(tx, {
      leadId: result.lead.id,
      repairOrderId,
      customerId: result.lead.customerId,
      reason,
      createdAt: now,
    });
    return result;
  });
}
