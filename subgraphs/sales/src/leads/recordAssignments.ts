import { randomUUID } from 'node:crypto';
import type { Db } from '@cx/platform';
import { insertLeadAssignments } from '../repositories/assignments.ts';
import { insertLeadAssignedEvents } from '../repositories/outbox.ts';
import { insertSlaTimers } from '../repositories/slaTimers.ts';
import { insertLeadEvents, type NewLeadEvent } from '../repositories/timeline.ts';

/** Minutes to first contact when a dealer's own setting is unknown. */
export const DEFAULT_SLA_MINUTES = 5;

export interface AssignmentToRecord {
  leadId: string;
  consultantId: string;
  dealerCode: string;
  reason: string;
  /** The dealer's first-contact SLA, which starts now. */
  slaMinutes: number | undefined;
  /** ASSIGNED for a new lead, REASSIGNED when the SLA sweep moved it. */
  kind: 'ASSIGNED' | 'REASSIGNED';
  note?: string | null;
}

/**
 * Everything an assignment writes besides the lead row, for any number of assignments in a
 * constant number of statements: the lead_assignments rows, their 'lead.assigned' stream events
 * (the outbox, so dashboards see reassignments too), the timeline entries (plus `extraEvents`,
 * e.g. CREATED) and the first-contact SLA timers. Returns the assignment ids in input order.
 */
export async function recordAssignments(
  db: Db,
  assignments: readonly AssignmentToRecord[],
  now: Date,
  extraEvents: readonly NewLeadEvent[] = [],
): Promise<string[]> {
  const ids = assignments.map(() => randomUUID());
  await insertLeadAssignments(
    db,
    assignments.map((a, i) => ({
      id: ids[i]!,
      leadId: a.leadId,
      consultantId: a.consultantId,
      dealerCode: a.dealerCode,
      reason: a.reason,
      assignedAt: now,
    })),
  );
  await insertLeadAssignedEvents(
    db,
    assignments.map((a, i) => ({
      assignmentId: ids[i]!,
      leadId: a.leadId,
      consultantId: a.consultantId,
      dealerCode: a.dealerCode,
      reason: a.reason,
      assignedAt: now.toISOString(),
    })),
  );
  await insertLeadEvents(db, [
    ...extraEvents,
    ...assignments.map((a) => ({
      leadId: a.leadId,
      kind: a.kind,
      at: now,
      consultantId: a.consultantId,
      fromStatus: a.kind === 'ASSIGNED' ? ('NEW' as const) : null,
      toStatus: 'ASSIGNED' as const,
      note: a.note ?? a.reason,
    })),
  ]);
  await insertSlaTimers(
    db,
    assignments.map((a) => ({
      leadId: a.leadId,
      consultantId: a.consultantId,
      kind: 'ESCALATE' as const,
      dueAt: new Date(now.getTime() + (a.slaMinutes ?? DEFAULT_SLA_MINUTES) * 60_000),
      createdAt: now,
    })),
  );
  return ids;
}
