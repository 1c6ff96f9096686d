import { type Db, deleteRows, scrubRows, subgraphPrivacy } from '@cx/platform';
import { and, inArray, sql } from 'drizzle-orm';
import { customerAlias } from '../aliases/tables.ts';
import { consents, eventTables, invitations, suppressions, surveyResponses } from '../db/schema.ts';
import { erasureReceipts } from './tables.ts';

/** The feedback section of a PIPL export; its shape is documented on CustomerDataExport.feedbackData. */
async function collect(db: Db, ids: string[]) {
  const [invited, suppressed, responses, consented] = await Promise.all([
    db.select().from(invitations).where(inArray(invitations.customerId, ids)),
    db.select().from(suppressions).where(inArray(suppressions.customerId, ids)),
    db.select().from(surveyResponses).where(inArray(surveyResponses.customerId, ids)),
    db.select().from(consents).where(inArray(consents.customerId, ids)),
  ]);
  return {
    // The token hash is a credential, not data about the person.
    invitations: invited.map(({ tokenHash: _hash, ...rest }) => rest),
    suppressions: suppressed,
    responses,
    consents: consented,
  };
}

/**
 * Erases the survey comments (and the copy a detractor event carried in this outbox) and the
 * consent projection. Scores, invitations and suppressions stay: they feed NPS/CSAT/CES rollups
 * and carry no personal text.
 */
async function erase(tx: Db, ids: readonly string[]) {
  const outbox = eventTables.outbox;
  const events = await tx
    .update(outbox)
    .set({ payload: sql`jsonb_set(${outbox.payload}, '{comment}', 'null'::jsonb)` })
    .where(
      and(
        inArray(sql`${outbox.payload}->>'customerId'`, [...ids]),
        sql`${outbox.payload}->>'comment' is not null`,
      ),
    )
    .returning({ id: outbox.id });
  return {
    survey_responses: await scrubRows(tx, surveyResponses, surveyResponses.customerId, ids, {
      comment: null,
    }),
    event_outbox: events.length,
    customer_consents: await deleteRows(tx, consents, consents.customerId, ids),
  };
}

export const { CustomerDataExport, erasureConsumer } = subgraphPrivacy({
  subgraph: 'feedback',
  field: 'feedbackData',
  outbox: eventTables,
  receipts: erasureReceipts,
  aliases: customerAlias,
  collect,
  erase,
});
