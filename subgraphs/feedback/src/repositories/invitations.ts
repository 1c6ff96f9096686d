import type { Db } from '@cx/platform';
import { and, desc, eq, gt, inArray, sql } from 'drizzle-orm';
import { type InvitationRow, invitations, suppressions, type Touchpoint } from '../db/schema.ts';

/** Serializes the fatigue decision per customer until the transaction ends (two touchpoints at once). */
export async function lockCustomerInvitations(tx: Db, customerId: string): Promise<void> {
  await tx.execute(
    sql`select pg_advisory_xact_lock(hashtext('feedback.invitations'), hashtext(${customerId}))`,
  );
}

/** True when this touchpoint (same kind and source id) already got an invitation or a suppression. */
export async function isTouchpointDecided(
  tx: Db,
  touchpoint: Touchpoint,
  sourceRef: string,
): Promise<boolean> {
  const rows = await tx
    .select({ id: invitations.id })
    .from(invitations)
    .where(and(eq(invitations.touchpoint, touchpoint), eq(invitations.sourceRef, sourceRef)))
    .unionAll(
      tx
        .select({ id: suppressions.id })
        .from(suppressions)
        .where(and(eq(suppressions.touchpoint, touchpoint), eq(suppressions.sourceRef, sourceRef))),
    )
    .limit(1);
  return rows.length > 0;
}

/** The latest invitation that counts towards fatigue, sent after `since`. */
export async function findFatigueInvitation(
  tx: Db,
  customerId: string,
  since: Date,
): Promise<InvitationRow | null> {
  const [row] = await tx
    .select()
    .from(invitations)
    .where(
      and(
        eq(invitations.customerId, customerId),
        gt(invitations.invitedAt, since),
        eq(invitations.fatigueExempt, false),
      ),
    )
    .orderBy(desc(invitations.invitedAt), desc(invitations.id))
    .limit(1);
  return row ?? null;
}

export async function insertInvitation(
  tx: Db,
  values: typeof invitations.$inferInsert,
): Promise<InvitationRow> {
  const [row] = await tx.insert(invitations).values(values).returning();
  return row!;
}

/** Locks the invitation row, so two responses with one token cannot both pass the checks. */
export async function findInvitationByTokenHashForUpdate(
  tx: Db,
  tokenHash: string,
): Promise<InvitationRow | null> {
  const [row] = await tx.select().from(invitations).where(eq(invitations.tokenHash, tokenHash)).for('update');
  return row ?? null;
}

export async function markInvitationResponded(tx: Db, id: string, at: Date): Promise<void> {
  await tx.update(invitations).set({ respondedAt: at }).where(eq(invitations.id, id));
}

export async function findInvitationsByIds(db: Db, ids: readonly string[]): Promise<InvitationRow[]> {
  if (ids.length === 0) return [];
  return db
    .select()
    .from(invitations)
    .where(inArray(invitations.id, [...ids]));
}
