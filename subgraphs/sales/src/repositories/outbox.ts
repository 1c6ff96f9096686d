import type { Db } from '@cx/platform';
import { and, asc, eq, gt, isNull, sql } from 'drizzle-orm';
import { rowsOf } from '../db/rows.ts';
import { outbox } from '../db/schema.ts';

export const LEAD_ASSIGNED_TOPIC = 'lead.assigned';
/** NOTIFY channel; the payload is the highest position just assigned. */
export const OUTBOX_CHANNEL = 'sales_outbox';

/** The payload of a 'lead.assigned' outbox row, as stored (jsonb, so the instant is a string). */
export interface LeadAssignedPayload {
  assignmentId: string;
  leadId: string;
  consultantId: string;
  dealerCode: string;
  reason: string;
  assignedAt: string;
}

/** A positioned 'lead.assigned' event, as the stream and queries serve it. */
export interface LeadAssignmentEvent {
  position: number;
  assignmentId: string;
  leadId: string;
  consultantId: string;
  dealerCode: string;
  reason: string;
  assignedAt: Date;
}

/** One 'lead.assigned' row per assignment, any number in one statement, in the order given. */
export async function insertLeadAssignedEvents(
  db: Db,
  payloads: readonly LeadAssignedPayload[],
): Promise<void> {
  if (payloads.length === 0) return;
  await db
    .insert(outbox)
    .values(
      payloads.map((payload) => ({ topic: LEAD_ASSIGNED_TOPIC, dealerCode: payload.dealerCode, payload })),
    );
}

export interface RelayResult {
  /** False when another relay (e.g. another process) held the lock; it will do the work. */
  locked: boolean;
  assigned: number;
  /** The highest committed position this relay knows of. */
  latest: number;
}

/**
 * One relay step, in its own transaction: under a try-lock (one relay at a time across processes),
 * gives every committed row without a position the next positions, max + 1.., by insert id, then
 * NOTIFYs the new top (delivered at commit). Each step's snapshot is taken after the previous
 * step committed, so positions are gap-free and a reader that has seen position n has already
 * been able to see every position below n. Statements carry an `outbox-relay` comment so tests
 * can tell them apart from request statements.
 */
export async function relayOutboxStep(db: Db): Promise<RelayResult> {
  return db.transaction(async (tx) => {
    const [state] = rowsOf<{ locked: boolean; latest: string | number }>(
      await tx.execute(sql`/* outbox-relay */ select pg_try_advisory_xact_lock(hashtext('sales.outbox_relay'), 0) as locked,
        (select coalesce(max(${outbox.position}), 0) from ${outbox}) as latest`),
    );
    const known = Number(state?.latest ?? 0);
    if (!state?.locked) return { locked: false, assigned: 0, latest: known };
    const [step] = rowsOf<{ assigned: number | string; latest: string | null }>(
      await tx.execute(sql`/* outbox-relay */ with
        pending as (select id, row_number() over (order by id) as rn from ${outbox} where position is null),
        top as (select coalesce(max(position), 0) as p from ${outbox}),
        updated as (
          update ${outbox} o set position = top.p + pending.rn from pending, top where o.id = pending.id returning o.position
        )
        select count(*) as assigned, max(position)::text as latest,
          case when count(*) > 0 then pg_notify(${OUTBOX_CHANNEL}, max(position)::text) end as notified
        from updated`),
    );
    const assigned = Number(step?.assigned ?? 0);
    return { locked: true, assigned, latest: assigned > 0 ? Number(step?.latest) : known };
  });
}

/** Committed rows the relay has not positioned yet: the stream's lag (metrics). */
export async function unpositionedOutboxCount(db: Db): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)`.mapWith(Number) })
    .from(outbox)
    .where(isNull(outbox.position));
  return row?.n ?? 0;
}

/** The highest position assigned so far (0 when none). */
export async function latestOutboxPosition(db: Db): Promise<number> {
  const [row] = await db
    .select({ latest: sql<number>`coalesce(max(${outbox.position}), 0)`.mapWith(Number) })
    .from(outbox);
  return row?.latest ?? 0;
}

function toEvent(row: { position: number | null; payload: unknown }): LeadAssignmentEvent {
  const p = row.payload as LeadAssignedPayload;
  return {
    position: row.position ?? 0,
    assignmentId: p.assignmentId,
    leadId: p.leadId,
    consultantId: p.consultantId,
    dealerCode: p.dealerCode,
    reason: p.reason,
    assignedAt: new Date(p.assignedAt),
  };
}

/** Up to `limit` positioned 'lead.assigned' events after `after`, in position order. */
export async function readLeadAssignmentEvents(
  db: Db,
  params: { after: number; dealerCode: string | null; limit: number },
): Promise<LeadAssignmentEvent[]> {
  const rows = await db
    .select({ position: outbox.position, payload: outbox.payload })
    .from(outbox)
    .where(
      and(
        eq(outbox.topic, LEAD_ASSIGNED_TOPIC),
        gt(outbox.position, params.after),
        params.dealerCode === null ? undefined : eq(outbox.dealerCode, params.dealerCode),
      ),
    )
    .orderBy(asc(outbox.position))
    .limit(params.limit);
  return rows.map(toEvent);
}

export async function findLeadAssignmentEvent(db: Db, position: number): Promise<LeadAssignmentEvent | null> {
  const [row] = await db
    .select({ position: outbox.position, payload: outbox.payload })
    .from(outbox)
    .where(and(eq(outbox.position, position), eq(outbox.topic, LEAD_ASSIGNED_TOPIC)));
  return row ? toEvent(row) : null;
}
