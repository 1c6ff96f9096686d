import type { Db } from '@cx/platform';
import { and, eq, isNotNull, lte, sql } from 'drizzle-orm';
import { outbox, relayState } from '../db/schema.ts';

/**
 * Strips the clear response token from 'feedback.invitation_issued' rows the bus has already
 * taken, so at rest the database holds only token hashes. Returns the number of rows scrubbed.
 */
export async function scrubDeliveredTokens(db: Db, relayName: string): Promise<number> {
  const published = db
    .select({ position: relayState.publishedPosition })
    .from(relayState)
    .where(eq(relayState.name, relayName));
  const rows = await db
    .update(outbox)
    .set({ payload: sql`${outbox.payload} - 'token'` })
    .where(
      and(
        eq(outbox.topic, 'feedback.invitation_issued'),
        isNotNull(sql`${outbox.payload} -> 'token'`),
        lte(outbox.position, sql`(${published})`),
      ),
    )
    .returning({ id: outbox.id });
  return rows.length;
}
