import type { Db } from '@cx/platform';
import { chooseAssignment, countDecision } from '../leads/assignment.ts';
import { type AssignmentToRecord, recordAssignments } from '../leads/recordAssignments.ts';
import { findAssignmentCandidates, lockAssignmentRegions } from '../repositories/assignments.ts';
import { reassignLeads } from '../repositories/leads.ts';
import {
  type ClaimedTimer,
  claimDueTimers,
  insertSlaTimers,
  settleTimers,
} from '../repositories/slaTimers.ts';
import type { NewLeadEvent } from '../repositories/timeline.ts';

/** Due timers handled per sweep transaction; the sweeper loops while a sweep comes back full. */
export const SLA_SWEEP_BATCH = 100;
/** The reason prefix of a reassignment in lead_assignments and the lead-assignment stream. */
export const SLA_REASSIGN_PREFIX = 'SLA_REASSIGN:';

export interface SlaSweepOptions {
  /** The sweep's clock: timers due at or before it fire. */
  now: Date;
  limit?: number;
}

export interface SlaOutcome {
  leadId: string;
  dealerCode: string | null;
  /** The consultant who missed the first-contact SLA. */
  consultantId: string;
  /** ESCALATED: the dealer manager; REASSIGNED: the new consultant; otherwise null. */
  toConsultantId: string | null;
  reason: string | null;
}

export interface SlaSweepResult {
  /** Timers claimed by this sweep (fired or cancelled); 0 means nothing was due. */
  claimed: number;
  escalated: SlaOutcome[];
  reassigned: SlaOutcome[];
  /** A reassignment was due but nobody else could take the lead; it stays with its consultant. */
  reassignFailed: SlaOutcome[];
  /** Timers whose lead had moved on (contacted, closed, reassigned): settled without effect. */
  cancelled: number;
}

/** A timer still matters only while its lead waits, uncontacted, on the consultant it watches. */
function stillWaiting(t: ClaimedTimer): boolean {
  return t.leadStatus === 'ASSIGNED' && t.leadConsultantId === t.consultantId && t.firstContactAt === null;
}

const minutes = (n: number) => n * 60_000;

/**
 * One SLA sweep, in one transaction: claims due timers (FOR UPDATE SKIP LOCKED, so concurrent
 * sweeps in other replicas never fire the same timer), then
 * - ESCALATE (first contact overdue): a timeline ESCALATED entry naming the dealer's manager, and a
 *   REASSIGN timer one escalation window after the breach;
 * - REASSIGN (still no contact): the assignment engine picks another consultant (the breaching one
 *   excluded, the lead's dealer first), the lead moves, and the new assignment is recorded like any
 *   other (stream event, timeline REASSIGNED, a fresh first-contact timer); REASSIGN_FAILED when
 *   nobody else can take it.
 * A constant number of statements per sweep, whatever the number of timers.
 */
export async function runSlaSweep(db: Db, options: SlaSweepOptions): Promise<SlaSweepResult> {
  const { now } = options;
  return db.transaction(async (tx) => {
    const claimed = await claimDueTimers(tx, now, options.limit ?? SLA_SWEEP_BATCH);
    const result: SlaSweepResult = {
      claimed: claimed.length,
      escalated: [],
      reassigned: [],
      reassignFailed: [],
      cancelled: 0,
    };
    if (claimed.length === 0) return result;
    const live = claimed.filter(stillWaiting);
    const stale = claimed.filter((t) => !stillWaiting(t));
    result.cancelled = stale.length;
    await settleTimers(
      tx,
      stale.map((t) => t.id),
      'CANCELLED',
      now,
    );
    await settleTimers(
      tx,
      live.map((t) => t.id),
      'FIRED',
      now,
    );

    const timeline: NewLeadEvent[] = [];
    const escalations = live.filter((t) => t.kind === 'ESCALATE');
    for (const t of escalations) {
      result.escalated.push({
        leadId: t.leadId,
        dealerCode: t.dealerCode,
        consultantId: t.consultantId,
        toConsultantId: t.managerConsultantId,
        reason: null,
      });
      timeline.push({
        leadId: t.leadId,
        kind: 'ESCALATED',
        at: now,
        consultantId: t.managerConsultantId,
        note: `first contact due ${t.dueAt.toISOString()} missed by consultant ${t.consultantId}`,
      });
    }
    await insertSlaTimers(
      tx,
      escalations.map((t) => ({
        leadId: t.leadId,
        consultantId: t.consultantId,
        kind: 'REASSIGN' as const,
        dueAt: new Date(t.dueAt.getTime() + minutes(t.escalationMinutes)),
        createdAt: now,
      })),
    );

    const reassignments: AssignmentToRecord[] = [];
    const due = live.filter((t) => t.kind === 'REASSIGN');
    if (due.length > 0) {
      const regions = await lockAssignmentRegions(tx, {
        cities: due.flatMap((t) => (t.city ? [t.city] : [])),
        preferredDealerCodes: due.flatMap((t) => (t.dealerCode ? [t.dealerCode] : [])),
      });
      const candidates = await findAssignmentCandidates(tx, regions);
      const slaOf = new Map(candidates.dealers.map((d) => [d.code, d.slaMinutes]));
      for (const t of due) {
        const decision = chooseAssignment(
          { city: t.city, modelCode: t.modelCode, preferredDealerCode: t.dealerCode },
          candidates,
          { now, excludeConsultantIds: [t.consultantId] },
        );
        const outcome = {
          leadId: t.leadId,
          dealerCode: decision?.dealerCode ?? t.dealerCode,
          consultantId: t.consultantId,
          toConsultantId: decision?.consultantId ?? null,
          reason: decision ? `${SLA_REASSIGN_PREFIX}${decision.reason}` : null,
        };
        if (!decision) {
          result.reassignFailed.push(outcome);
          timeline.push({
            leadId: t.leadId,
            kind: 'REASSIGN_FAILED',
            at: now,
            consultantId: t.consultantId,
            note: 'no other eligible consultant; the lead stays with its consultant',
          });
          continue;
        }
        countDecision(candidates.consultants, decision.consultantId, now, t.consultantId);
        result.reassigned.push(outcome);
        reassignments.push({
          leadId: t.leadId,
          consultantId: decision.consultantId,
          dealerCode: decision.dealerCode,
          reason: outcome.reason!,
          slaMinutes: slaOf.get(decision.dealerCode),
          kind: 'REASSIGNED',
          note: `${outcome.reason} from consultant ${t.consultantId}`,
        });
      }
      await reassignLeads(tx, reassignments, now);
    }
    await recordAssignments(tx, reassignments, now, timeline);
    return result;
  });
}
