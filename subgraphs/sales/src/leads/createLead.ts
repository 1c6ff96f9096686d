import { randomUUID } from 'node:crypto';
import { type Db, isUuid } from '@cx/platform';
import type { LeadRow, leads } from '../db/schema.ts';
import { findAssignmentCandidates, lockAssignmentRegions } from '../repositories/assignments.ts';
import { findOpenDuplicateLeads, insertLeads, lockLeadKeys } from '../repositories/leads.ts';
import { type AssignmentDecision, chooseAssignment, countDecision } from './assignment.ts';
import { gradeLead, type LeadSource } from './grade.ts';
import { recordAssignments } from './recordAssignments.ts';

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
 * lead, its lead_assignments row, its 'lead.assigned' outbox event, its timeline and its SLA timer
 * commit together or not at all. A constant number of statements whatever the number of candidates.
 */
export async function createLead(db: Db, input: LeadCreateInput, now: Date): Promise<CreateLeadResult> {
  const [result] = await createLeads(db, [input], now);
  return result!;
}

const keyOf = (lead: { customerId: string; modelCode: string | null }) =>
  `${lead.customerId}:${lead.modelCode ?? ''}`;

/**
 * The batch form (leadsIngest): each record is validated on its own, and the valid ones are
 * created in one transaction with a constant number of statements for the whole batch. Duplicates
 * merge into an open lead, including one created earlier in the same batch; the engine decides
 * lead after lead over candidates loaded once, counting each decision's load before the next.
 */
export async function createLeads(
  db: Db,
  inputs: readonly LeadCreateInput[],
  now: Date,
): Promise<CreateLeadResult[]> {
  const results: CreateLeadResult[] = inputs.map(() => ({
    lead: null,
    userErrors: [],
    duplicate: false,
    assignment: null,
  }));
  const valid: { index: number; lead: NormalizedInput }[] = [];
  inputs.forEach((input, index) => {
    const normalized = normalize(input);
    if ('errors' in normalized) results[index]!.userErrors = normalized.errors;
    else valid.push({ index, lead: normalized.value });
  });
  if (valid.length === 0) return results;

  return db.transaction(async (tx) => {
    const keys = [...new Set(valid.map((v) => keyOf(v.lead)))];
    await lockLeadKeys(tx, keys);
    const since = new Date(now.getTime() - DUPLICATE_WINDOW_DAYS * 24 * 60 * 60 * 1000);
    const open = new Map<string, LeadRow>(
      (await findOpenDuplicateLeads(tx, { keys: valid.map((v) => v.lead), since })).map((l) => [keyOf(l), l]),
    );
    const fresh = valid.filter((v) => !open.has(keyOf(v.lead)));
    const regions = await lockAssignmentRegions(tx, {
      cities: fresh.flatMap((v) => (v.lead.city ? [v.lead.city] : [])),
      preferredDealerCodes: fresh.flatMap((v) =>
        v.lead.preferredDealerCode ? [v.lead.preferredDealerCode] : [],
      ),
    });
    const candidates = await findAssignmentCandidates(tx, regions);
    const slaOf = new Map(candidates.dealers.map((d) => [d.code, d.slaMinutes]));

    const newRows: (typeof leads.$inferInsert)[] = [];
    const decisions = new Map<string, AssignmentDecision>();
    const firstOfKey = new Map<string, string>();
    for (const { lead } of valid) {
      const key = keyOf(lead);
      if (open.has(key) || firstOfKey.has(key)) continue;
      const id = randomUUID();
      firstOfKey.set(key, id);
      const decision = chooseAssignment(lead, candidates, { now });
      if (decision) {
        decisions.set(id, decision);
        countDecision(candidates.consultants, decision.consultantId, now);
      }
      newRows.push({
        id,
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
    }
    const inserted = new Map((await insertLeads(tx, newRows)).map((l) => [l.id, l]));
    const toRecord = [...decisions].map(([leadId, d]) => ({
      leadId,
      consultantId: d.consultantId,
      dealerCode: d.dealerCode,
      reason: d.reason,
      slaMinutes: slaOf.get(d.dealerCode),
      kind: 'ASSIGNED' as const,
    }));
    const assignmentIds = await recordAssignments(
      tx,
      toRecord,
      now,
      newRows.map((r) => ({ leadId: r.id!, kind: 'CREATED' as const, at: now, toStatus: 'NEW' as const })),
    );
    const assignmentOf = new Map(toRecord.map((r, i) => [r.leadId, assignmentIds[i]!]));

    const createdIds = new Set<string>();
    for (const { index, lead } of valid) {
      const key = keyOf(lead);
      const existing = open.get(key);
      const id = firstOfKey.get(key)!;
      const result = results[index]!;
      if (existing) {
        Object.assign(result, { lead: existing, duplicate: true });
      } else if (createdIds.has(id)) {
        Object.assign(result, { lead: inserted.get(id) ?? null, duplicate: true });
      } else {
        createdIds.add(id);
        const decision = decisions.get(id);
        Object.assign(result, {
          lead: inserted.get(id) ?? null,
          assignment: decision ? { ...decision, assignmentId: assignmentOf.get(id)! } : null,
        });
      }
    }
    return results;
  });
}
