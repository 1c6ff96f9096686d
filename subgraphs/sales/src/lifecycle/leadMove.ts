import { type Db, forbidden, isUuid, type UserError, userError, type Viewer } from '@cx/platform';
import { GraphQLError } from 'graphql';
import type { LeadRow } from '../db/schema.ts';
import { lockLead, updateLead } from '../repositories/leads.ts';
import { cancelPendingTimers } from '../repositories/slaTimers.ts';
import { insertLeadEvents, type NewLeadEvent } from '../repositories/timeline.ts';
import { isLeadVisible } from '../scope.ts';
import type { LeadStatus } from './status.ts';

/** A mutation's result: the value, or the user errors that stopped it (nothing was written). */
export type Outcome<T> = { value: T; userErrors: [] } | { value: null; userErrors: UserError[] };

export const ok = <T>(value: T): Outcome<T> => ({ value, userErrors: [] });
export const fail = <T = never>(field: string, code: string, message: string): Outcome<T> => ({
  value: null,
  userErrors: [userError(field, code, message)],
});

/** Roles that change sales records; analysts read, service advisors hand leads over (handoff). */
const writerRoles: ReadonlySet<string> = new Set([
  'hq_admin',
  'dealer_manager',
  'sales_consultant',
  'dms_integration',
]);

/** Refuses a caller whose role may not change sales records (null: in-process, unrestricted). */
export function assertWriter(viewer: Viewer | null): void {
  if (viewer && !writerRoles.has(viewer.role))
    throw new GraphQLError(`the role ${viewer.role} cannot change sales records`, {
      extensions: { code: 'FORBIDDEN' },
    });
}

/**
 * Locks the lead for the rest of the transaction and checks the caller's row scope: a dealer role
 * acts only on its dealer's leads, a consultant only on the leads assigned to them. Out of scope is
 * FORBIDDEN (an error, not a user error: the caller must not learn more than that).
 */
export async function lockLeadInScope(
  tx: Db,
  viewer: Viewer | null,
  leadId: string,
  field = 'leadId',
): Promise<Outcome<LeadRow>> {
  const id = leadId.trim().toLowerCase();
  if (!isUuid(id)) return fail(field, 'INVALID_ID', 'is not a lead id');
  const lead = await lockLead(tx, id);
  if (!lead) return fail(field, 'NOT_FOUND', `lead ${id} was not found`);
  if (!isLeadVisible(viewer, lead)) throw forbidden('Lead', id);
  return ok(lead);
}

/** Statuses that mean someone has spoken with the customer. */
const contactedStatuses: ReadonlySet<LeadStatus> = new Set([
  'CONTACTED',
  'VISITED',
  'TEST_DRIVEN',
  'ORDERED',
]);

export interface LeadMove {
  /** The new status, or null to leave it (e.g. a later follow-up). */
  to: LeadStatus | null;
  /** True for a follow-up: contact was made even if the status does not change. */
  contact?: boolean;
  lostReason?: string | null;
  consultantId?: string | null;
  note?: string | null;
  /** Timeline entries to write with the move (FOLLOWED_UP, ORDER_CREATED...). */
  events?: NewLeadEvent[];
}

/**
 * Applies a (legal, already checked) move to a locked lead: the status, the first contact (which
 * stops the SLA: pending timers are cancelled), the timeline. At most three statements.
 */
export async function applyLeadMove(tx: Db, lead: LeadRow, move: LeadMove, now: Date): Promise<LeadRow> {
  const to = move.to !== null && move.to !== lead.status ? move.to : null;
  const contact = move.contact === true || (to !== null && contactedStatuses.has(to));
  const firstContact = contact && lead.firstContactAt === null;
  const events: NewLeadEvent[] = [...(move.events ?? [])];
  if (firstContact)
    events.push({ leadId: lead.id, kind: 'CONTACTED', at: now, consultantId: move.consultantId ?? null });
  if (to)
    events.push({
      leadId: lead.id,
      kind: 'STATUS_CHANGED',
      at: now,
      consultantId: move.consultantId ?? null,
      fromStatus: lead.status,
      toStatus: to,
      note: to === 'LOST' ? (move.lostReason ?? null) : (move.note ?? null),
    });
  let updated = lead;
  if (to || firstContact) {
    updated = await updateLead(tx, lead.id, {
      ...(to ? { status: to } : {}),
      ...(firstContact ? { firstContactAt: now } : {}),
      ...(to === 'LOST' ? { lostReason: move.lostReason ?? null } : {}),
      updatedAt: now,
    });
  }
  // Timers watch an uncontacted ASSIGNED lead: contact or any move out of ASSIGNED stops them.
  if (firstContact || (to && (lead.status === 'ASSIGNED' || lead.status === 'NEW')))
    await cancelPendingTimers(tx, [lead.id]);
  await insertLeadEvents(tx, events);
  return updated;
}
