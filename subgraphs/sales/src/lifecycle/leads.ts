import type { Db, Viewer } from '@cx/platform';
import type { FollowUpRow, LeadRow } from '../db/schema.ts';
import { insertFollowUp } from '../repositories/lifecycle.ts';
import { applyLeadMove, assertWriter, fail, lockLeadInScope, type Outcome, ok } from './leadMove.ts';
import { canMove, isClosed, type LeadStatus, leadTransitions } from './status.ts';

export const MAX_NOTE_LENGTH = 1000;
export const MAX_LOST_REASON_LENGTH = 500;

export interface FollowUpRecordInput {
  leadId: string;
  kind: 'CALL' | 'WECHAT' | 'VISIT';
  outcome: 'REACHED' | 'NO_ANSWER' | 'CALLBACK_REQUESTED' | 'VISIT_SCHEDULED' | 'NOT_INTERESTED';
  note?: string | null;
}

/** An optional free-text field, trimmed; null when blank. */
export const cleanText = (value: string | null | undefined): string | null => value?.trim() || null;

/** The TOO_LONG user error for a free-text field over `max` characters, or null. */
export function tooLong(value: string | null | undefined, field: string, max: number): Outcome<never> | null {
  const text = cleanText(value);
  return text && text.length > max ? fail(field, 'TOO_LONG', `must be at most ${max} characters`) : null;
}

/**
 * Locks a lead in the caller's scope and fails unless it has an owner and is still open: what
 * every sales action on it (follow-up, test drive) needs.
 */
export async function lockOpenLead(tx: Db, viewer: Viewer | null, leadId: string): Promise<Outcome<LeadRow>> {
  const locked = await lockLeadInScope(tx, viewer, leadId);
  const lead = locked.value;
  if (!lead) return locked;
  if (isClosed(lead.status)) return fail('leadId', 'LEAD_CLOSED', `the lead is ${lead.status}`);
  if (lead.status === 'NEW' || !lead.consultantId)
    return fail('leadId', 'NOT_ASSIGNED', 'the lead has no consultant yet');
  return locked;
}

/**
 * A follow-up. The first contact of an ASSIGNED lead makes it CONTACTED (a VISIT: VISITED), sets
 * firstContactAt and stops the SLA timers, all in the transaction that records the follow-up.
 */
export async function recordFollowUp(
  db: Db,
  viewer: Viewer | null,
  input: FollowUpRecordInput,
  now: Date,
): Promise<Outcome<{ followUp: FollowUpRow; lead: LeadRow }>> {
  assertWriter(viewer);
  const rejected = tooLong(input.note, 'note', MAX_NOTE_LENGTH);
  if (rejected) return rejected;
  const note = cleanText(input.note);
  return db.transaction(async (tx) => {
    const open = await lockOpenLead(tx, viewer, input.leadId);
    if (!open.value) return open;
    const lead = open.value;
    const consultantId = viewer?.consultant ?? lead.consultantId;
    const visit = input.kind === 'VISIT' && (lead.status === 'ASSIGNED' || lead.status === 'CONTACTED');
    const to: LeadStatus | null = visit ? 'VISITED' : lead.status === 'ASSIGNED' ? 'CONTACTED' : null;
    const followUp = await insertFollowUp(tx, {
      leadId: lead.id,
      consultantId,
      kind: input.kind,
      outcome: input.outcome,
      note,
      at: now,
    });
    const updated = await applyLeadMove(
      tx,
      lead,
      {
        to,
        contact: true,
        consultantId,
        events: [
          {
            leadId: lead.id,
            kind: 'FOLLOWED_UP',
            at: now,
            consultantId,
            note: `${input.kind} ${input.outcome}${note ? `: ${note}` : ''}`,
          },
        ],
      },
      now,
    );
    return ok({ followUp, lead: updated });
  });
}

export interface LeadStatusChangeInput {
  leadId: string;
  status: LeadStatus;
  lostReason?: string | null;
}

/** Statuses only sales orders set: an order is the proof of ORDERED, a delivery of WON. */
const orderDrivenStatuses: ReadonlySet<LeadStatus> = new Set(['ORDERED', 'WON', 'ASSIGNED']);

export async function changeLeadStatus(
  db: Db,
  viewer: Viewer | null,
  input: LeadStatusChangeInput,
  now: Date,
): Promise<Outcome<LeadRow>> {
  assertWriter(viewer);
  const rejected = tooLong(input.lostReason, 'lostReason', MAX_LOST_REASON_LENGTH);
  if (rejected) return rejected;
  const reason = cleanText(input.lostReason);
  if (input.status === 'LOST' && !reason)
    return fail('lostReason', 'REQUIRED', 'a lead is LOST with a reason');
  return db.transaction(async (tx) => {
    const locked = await lockLeadInScope(tx, viewer, input.leadId);
    if (!locked.value) return locked;
    const lead = locked.value;
    if (!canMove(leadTransitions, lead.status, input.status))
      return fail(
        'status',
        'ILLEGAL_TRANSITION',
        `a lead cannot move from ${lead.status} to ${input.status}`,
      );
    if (orderDrivenStatuses.has(input.status))
      return fail(
        'status',
        'ILLEGAL_TRANSITION',
        `${input.status} is set by ${input.status === 'ASSIGNED' ? 'the assignment engine' : 'sales orders'}`,
      );
    const updated = await applyLeadMove(
      tx,
      lead,
      { to: input.status, lostReason: reason, consultantId: viewer?.consultant ?? null },
      now,
    );
    return ok(updated);
  });
}
