import { badInput, type Db, isUuid } from '@cx/platform';
import type { EventKind } from '../db/schema.ts';
import { type RecordError, recordError } from '../errors.ts';
import { findCustomersByIds } from '../repositories/customers.ts';
import { findEventsByIds, insertEvents } from '../repositories/events.ts';
import { lockIdentityGraph } from '../repositories/merges.ts';
import { behaviorRules } from '../tags/behaviorRules.ts';
import { refreshTagsOf } from '../tags/refreshTags.ts';

export const MAX_EVENTS = 1000;
const MAX_TEXT = 100;
/** Client clocks drift; an event a few minutes "ahead" is still accepted. */
const FUTURE_TOLERANCE_MS = 5 * 60_000;

export interface CustomerEventInput {
  eventId: string;
  customerId: string;
  kind: EventKind;
  subject?: string | null;
  occurredAt: Date;
}

export interface EventResult {
  index: number;
  eventId: string;
  /** The customer the event counts for: the survivor when the named customer was merged. */
  customerId: string;
  outcome: 'RECORDED' | 'UNCHANGED';
}

interface ValidEvent {
  index: number;
  eventId: string;
  customerId: string;
  kind: EventKind;
  subject: string | null;
  occurredAt: Date;
}

function validate(input: CustomerEventInput, index: number, now: Date): ValidEvent | RecordError[] {
  const errors: RecordError[] = [];
  const eventId = input.eventId.trim();
  if (!eventId || eventId.length > MAX_TEXT)
    errors.push(recordError(index, 'eventId', 'EVENT_ID_INVALID', `must be 1 to ${MAX_TEXT} characters`));
  if (!isUuid(input.customerId))
    errors.push(recordError(index, 'customerId', 'CUSTOMER_ID_INVALID', 'is not a customer id'));
  const subject = input.subject?.trim() || null;
  if (behaviorRules[input.kind].subjectRequired && !subject)
    errors.push(recordError(index, 'subject', 'SUBJECT_REQUIRED', `is required for ${input.kind}`));
  if ((subject?.length ?? 0) > MAX_TEXT)
    errors.push(recordError(index, 'subject', 'SUBJECT_INVALID', `must be at most ${MAX_TEXT} characters`));
  if (input.occurredAt.getTime() > now.getTime() + FUTURE_TOLERANCE_MS)
    errors.push(recordError(index, 'occurredAt', 'OCCURRED_IN_FUTURE', 'lies in the future'));
  if (errors.length > 0) return errors;
  return {
    index,
    eventId,
    customerId: input.customerId.toLowerCase(),
    kind: input.kind,
    subject,
    occurredAt: input.occurredAt,
  };
}

const sameEvent = (a: ValidEvent, b: Omit<ValidEvent, 'index'>) =>
  a.customerId === b.customerId &&
  a.kind === b.kind &&
  a.subject === b.subject &&
  a.occurredAt.getTime() === b.occurredAt.getTime();

/**
 * Records a batch of behavior events and refreshes the tags of everyone they concern, in one
 * transaction with a constant number of statements. Re-sending an event id changes nothing
 * (UNCHANGED); the same id with different content is rejected, as are unknown customers.
 */
export async function recordEvents(
  db: Db,
  inputs: CustomerEventInput[],
  now: Date,
): Promise<{ results: EventResult[]; userErrors: RecordError[] }> {
  if (inputs.length > MAX_EVENTS)
    throw badInput('input.events', `accepts at most ${MAX_EVENTS} events per call`, 'BATCH_TOO_LARGE');
  const userErrors: RecordError[] = [];
  const valid: ValidEvent[] = [];
  const seen = new Set<string>();
  for (const [index, input] of inputs.entries()) {
    const v = validate(input, index, now);
    if (Array.isArray(v)) {
      userErrors.push(...v);
    } else if (seen.has(v.eventId)) {
      userErrors.push(recordError(index, 'eventId', 'DUPLICATE_IN_BATCH', 'appears twice in this batch'));
    } else {
      seen.add(v.eventId);
      valid.push(v);
    }
  }
  if (valid.length === 0) return { results: [], userErrors: sortErrors(userErrors) };

  return db.transaction(async (tx) => {
    // Tags are derived per merge tree: never while a merge or unmerge is reshaping the trees.
    await lockIdentityGraph(tx);
    const customers = new Map(
      (await findCustomersByIds(tx, [...new Set(valid.map((e) => e.customerId))])).map((c) => [c.id, c]),
    );
    const known = new Map(
      (
        await findEventsByIds(
          tx,
          valid.map((e) => e.eventId),
        )
      ).map((e) => [e.eventId, e]),
    );
    const results: EventResult[] = [];
    const fresh: ValidEvent[] = [];
    const touched = new Set<string>();
    for (const e of valid) {
      const customer = customers.get(e.customerId);
      if (!customer) {
        userErrors.push(
          recordError(e.index, 'customerId', 'CUSTOMER_NOT_FOUND', `no customer ${e.customerId}`),
        );
        continue;
      }
      const root = customer.mergedInto ?? customer.id;
      const prior = known.get(e.eventId);
      if (prior && !sameEvent(e, prior)) {
        userErrors.push(
          recordError(e.index, 'eventId', 'EVENT_ID_CONFLICT', 'was already recorded with different content'),
        );
        continue;
      }
      results.push({
        index: e.index,
        eventId: e.eventId,
        customerId: root,
        outcome: prior ? 'UNCHANGED' : 'RECORDED',
      });
      if (prior) continue;
      fresh.push(e);
      touched.add(root);
    }
    // unnestRows reads only the table's columns, so `index` stays behind.
    await insertEvents(tx, fresh, now);
    await refreshTagsOf(tx, [...touched], now);
    return { results, userErrors: sortErrors(userErrors) };
  });
}

const sortErrors = (errors: RecordError[]) => errors.sort((a, b) => a.index - b.index);
