import type { Db } from '@cx/platform';
import type { ConsentPurpose, SegmentExportRow, SegmentRow } from '../db/schema.ts';
import { type MutationError, mutationError } from '../errors.ts';
import { findSegmentsByIds, insertSegment, insertSegmentExport } from '../repositories/segments.ts';
import { countSegment } from './compile.ts';
import { parseSegmentExpression, type SegmentExpressionInput } from './expression.ts';

const MAX_NAME = 100;

export type MarketingChannel = 'SMS' | 'PUSH';

/** A marketing export only ever reaches people who consented to that channel. */
export const consentForChannel: Record<MarketingChannel, ConsentPurpose> = {
  SMS: 'MARKETING_SMS',
  PUSH: 'MARKETING_PUSH',
};

export async function createSegment(
  db: Db,
  input: { name: string; expression: SegmentExpressionInput },
  context: { now: Date; actor: string },
): Promise<{ segment: SegmentRow | null; userErrors: MutationError[] }> {
  const userErrors: MutationError[] = [];
  const name = input.name.trim();
  if (!name || name.length > MAX_NAME)
    userErrors.push(mutationError('input.name', 'NAME_INVALID', `must be 1 to ${MAX_NAME} characters`));
  const parsed = parseSegmentExpression(input.expression);
  if ('errors' in parsed) userErrors.push(...parsed.errors);
  if (userErrors.length > 0 || 'errors' in parsed) return { segment: null, userErrors };
  const segment = await insertSegment(db, {
    name,
    expression: parsed.expression,
    createdBy: context.actor,
    createdAt: context.now,
  });
  if (!segment)
    return {
      segment: null,
      userErrors: [mutationError('input.name', 'NAME_TAKEN', `a segment named "${name}" exists`)],
    };
  return { segment, userErrors: [] };
}

/**
 * Records a marketing export of a segment through one channel (who, when, how many) in one
 * transaction. The export's members are the segment's members who granted that channel's consent.
 */
export async function exportSegment(
  db: Db,
  input: { segmentId: string; channel: MarketingChannel },
  context: { now: Date; actor: string },
): Promise<{ export: SegmentExportRow | null; userErrors: MutationError[] }> {
  return db.transaction(async (tx) => {
    const [segment] = await findSegmentsByIds(tx, [input.segmentId]);
    if (!segment)
      return {
        export: null,
        userErrors: [mutationError('input.segmentId', 'SEGMENT_NOT_FOUND', `no segment ${input.segmentId}`)],
      };
    const size = await countSegment(
      tx,
      {
        and: [segment.expression, { consent: consentForChannel[input.channel] }],
      },
      context.now,
    );
    const created = await insertSegmentExport(tx, {
      segmentId: segment.id,
      channel: input.channel,
      size,
      actor: context.actor,
      createdAt: context.now,
    });
    return { export: created, userErrors: [] };
  });
}
