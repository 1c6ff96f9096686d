import type { Db } from '@cx/platform';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { rowsOf } from '../db/rows.ts';
import { dealers, leads, slaTimers } from '../db/schema.ts';

export type NewSlaTimer = typeof slaTimers.$inferInsert;

export async function insertSlaTimers(db: Db, rows: readonly NewSlaTimer[]): Promise<void> {
  if (rows.length === 0) return;
  await db.insert(slaTimers).values([...rows]);
}

/** Stops every pending timer of these leads (first contact made, lead closed). */
export async function cancelPendingTimers(db: Db, leadIds: readonly string[]): Promise<void> {
  if (leadIds.length === 0) return;
  await db
    .update(slaTimers)
    .set({ state: 'CANCELLED' })
    .where(and(inArray(slaTimers.leadId, [...leadIds]), eq(slaTimers.state, 'PENDING')));
}

/** A due timer with what the sweep needs of its lead and dealer, both rows locked. */
export interface ClaimedTimer {
  id: string;
  kind: 'ESCALATE' | 'REASSIGN';
  leadId: string;
  consultantId: string;
  dueAt: Date;
  leadStatus: string;
  leadConsultantId: string | null;
  firstContactAt: Date | null;
  dealerCode: string | null;
  city: string | null;
  modelCode: string | null;
  escalationMinutes: number;
  managerConsultantId: string | null;
}

interface RawClaim {
  id: string;
  kind: 'ESCALATE' | 'REASSIGN';
  lead_id: string;
  consultant_id: string;
  due_at: string | Date;
  status: string;
  lead_consultant_id: string | null;
  first_contact_at: string | Date | null;
  dealer_code: string | null;
  city: string | null;
  model_code: string | null;
  escalation_minutes: number | string | null;
  manager_consultant_id: string | null;
}

/**
 * Claims up to `limit` due timers for this transaction: the timer and its lead are locked, and
 * rows another sweeper (another replica) holds are skipped rather than waited for, so each timer
 * is fired by exactly one transaction. A lead locked by a request (a follow-up being recorded) is
 * skipped too; that request cancels the timer, or the next sweep takes it.
 */
export async function claimDueTimers(db: Db, now: Date, limit: number): Promise<ClaimedTimer[]> {
  const rows = rowsOf<RawClaim>(
    await db.execute(sql`
      select t.id, t.kind, t.lead_id, t.consultant_id, t.due_at, l.status, l.consultant_id as lead_consultant_id,
        l.first_contact_at, l.dealer_code, l.city, l.model_code, d.escalation_minutes, d.manager_consultant_id
      from ${slaTimers} t
      join ${leads} l on l.id = t.lead_id
      left join ${dealers} d on d.code = l.dealer_code
      where t.state = 'PENDING' and t.due_at <= ${now.toISOString()}::timestamptz
      order by t.due_at, t.id
      limit ${limit}
      for update of t, l skip locked`),
  );
  const date = (v: string | Date) => (v instanceof Date ? v : new Date(v));
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    leadId: r.lead_id,
    consultantId: r.consultant_id,
    dueAt: date(r.due_at),
    leadStatus: r.status,
    leadConsultantId: r.lead_consultant_id,
    firstContactAt: r.first_contact_at === null ? null : date(r.first_contact_at),
    dealerCode: r.dealer_code,
    city: r.city,
    modelCode: r.model_code,
    escalationMinutes: Number(r.escalation_minutes ?? 10),
    managerConsultantId: r.manager_consultant_id,
  }));
}

export async function settleTimers(
  db: Db,
  ids: readonly string[],
  state: 'FIRED' | 'CANCELLED',
  now: Date,
): Promise<void> {
  if (ids.length === 0) return;
  await db
    .update(slaTimers)
    .set({ state, firedAt: state === 'FIRED' ? now : null })
    .where(inArray(slaTimers.id, [...ids]));
}
