import { randomUUID } from 'node:crypto';
import { type Db, isUuid } from '@cx/platform';
import type { LeadRow } from '../db/schema.ts';
import {
  findAssignmentCandidates,
  insertLeadAssignment,
  lockAssignmentRegions,
} from '../repositories/assignments.ts';
import { findOpenDuplicateLead, insertLead, lockLeadKey } from '../repositories/leads.ts';
import { insertLeadAssignedEvent } from '../repositories/outbox.ts';
import { type AssignmentDecision, chooseAssignment } from './assignment.ts';
import { gradeLead, type LeadSource } from './grade.ts';

/** An open lead of the same customer and model younger than this is returned instead of a new one. */
export const DUPLICATE_WINDOW_DAYS = 30;

export interface LeadCreateInput {
  customerId: string;
  source: LeadSource;
  modelCode?: string | null;
  city?: string | null;
  preferredDealerCode?: string | null;
  campaignCode?: string | null;
}

export interface LeadUserError {
  field: string;
  code: string;
  message: string;
}

export interface CreateLeadResult {
  lead: LeadRow | null;
  userErrors: LeadUserError[];
  /** True when an existing open lead was returned. */
  duplicate: boolean;
  /** Set when the lead was assigned, i.e. an outbox event was written. */
  assignment: (AssignmentDecision & { assignmentId: string }) | null;
}

interface NormalizedInput {
  customerId: string;
  source: LeadSource;
  modelCode: string | null;
  city: string | null;
  preferredDealerCode: string | null;
  campaignCode: string | null;
}

const maxLength = { modelCode: 64, city: 64, preferredDealerCode: 32, campaignCode: 64 } as const;

function normalize(input: LeadCreateInput): { value: NormalizedInput } | { errors: LeadUserError[] } {
  const errors: LeadUserError[] = [];
  const customerId = input.customerId.trim();
  if (!isUuid(customerId))
    errors.push({ field: 'customerId', code: 'INVALID_ID', message: 'customerId: is not a customer id' });
  const text = (field: keyof typeof maxLength, upper: boolean): string | null => {
    const raw = input[field]?.trim();
    if (!raw) return null;
    if (raw.length > maxLength[field]) {
      errors.push({
        field,
        code: 'TOO_LONG',
        message: `${field}: must be at most ${maxLength[field]} characters`,
      });
    }
    return upper ? raw.toUpperCase() : raw;
  };
  const value: NormalizedInput = {
    customerId: customerId.toLowerCase(),
    source: input.source,
    modelCode: text('modelCode', true),
    city: text('city', false),
    preferredDealerCode: text('preferredDealerCode', true),
    campaignCode: text('campaignCode', false),
  };
  return errors.length > 0 ? { errors } : { value };
}

/**
 * Creates (or finds the open duplicate of) a lead and assigns it, all in one transaction: the
 * lead, its lead_assignments row and its 'lead.assigned' outbox event commit together or not at
 * all. A constant number of statements whatever the number of candidates.
 */
export async function createLead(db: Db, input: LeadCreateInput, now: Date): Promise<CreateLeadResult> {
  const normalized = normalize(input);
  if ('errors' in normalized)
    return { lead: null, userErrors: normalized.errors, duplicate: false, assignment: null };
  const lead = normalized.value;

  return db.transaction(async (tx) => {
    await lockLeadKey(tx, lead);
    const since = new Date(now.getTime() - DUPLICATE_WINDOW_DAYS * 24 * 60 * 60 * 1000);
    const open = await findOpenDuplicateLead(tx, {
      customerId: lead.customerId,
      modelCode: lead.modelCode,
      since,
    });
    if (open) return { lead: open, userErrors: [], duplicate: true, assignment: null };

    const regions = await lockAssignmentRegions(tx, lead);
    const decision = chooseAssignment(lead, await findAssignmentCandidates(tx, regions));
    const row = await insertLead(tx, {
      id: randomUUID(),
      customerId: lead.customerId,
      source: lead.source,
      modelCode: lead.modelCode,
      city: lead.city,
      campaignCode: lead.campaignCode,
      grade: gradeLead(lead),
      status: decision ? 'ASSIGNED' : 'NEW',
      dealerCode: decision?.dealerCode ?? null,
      consultantId: decision?.consultantId ?? null,
      assignedAt: decision ? now : null,
      createdAt: now,
      updatedAt: now,
    });
    if (!decision) return { lead: row, userErrors: [], duplicate: false, assignment: null };

    const assignmentId = randomUUID();
    const { consultantId, dealerCode, reason } = decision;
    await insertLeadAssignment(tx, {
      id: assignmentId,
      leadId: row.id,
      consultantId,
      dealerCode,
      reason,
      assignedAt: now,
    });
    await insertLeadAssignedEvent(tx, {
      assignmentId,
      leadId: row.id,
      consultantId,
      dealerCode,
      reason,
      assignedAt: now.toISOString(),
    });
    return { lead: row, userErrors: [], duplicate: false, assignment: { ...decision, assignmentId } };
  });
}
