import { assertUuid, isUuid, requireDataSubjectRight } from '@cx/platform';
import { type ConsentUpdateInput, updateConsents } from '../consents/updateConsents.ts';
import type { Context } from '../context.ts';
import { mutationError } from '../errors.ts';
import { type CustomerEventInput, recordEvents } from '../events/recordEvents.ts';
import { ingestCustomers } from '../ingest/ingestCustomers.ts';
import type { CustomerRecordInput } from '../ingest/normalize.ts';
import { type ManualMergeInput, mergeManually } from '../merge/manualMerge.ts';
import { unmerge } from '../merge/unmerge.ts';
import { type EraseInput, eraseCustomer } from '../privacy/erase.ts';
import { exportSubject } from '../privacy/export.ts';
import { requireHq } from '../scope.ts';
import type { SegmentExpressionInput } from '../segments/expression.ts';
import { createSegment, exportSegment, type MarketingChannel } from '../segments/segmentService.ts';
import { loadCustomer } from './Query.ts';

const clock = (ctx: Context) => ({ now: ctx.now(), actor: ctx.actor });

/** After a committed change that may have written events: the relay publishes them now, not at its next poll. */
function published<T>(ctx: Context, result: T): T {
  ctx.kickRelay();
  return result;
}

export const Mutation = {
  async customersIngest(_: unknown, args: { input: { records: CustomerRecordInput[] } }, ctx: Context) {
    const report = published(ctx, await ingestCustomers(ctx.db, ctx.pii, args.input.records, clock(ctx)));
    ctx.logger.info(
      {
        records: args.input.records.length,
        accepted: report.results.length,
        rejected: report.userErrors.length,
      },
      'customers ingested',
    );
    // CustomerIngestResult.customer loads the customer only when a client selects it.
    return report;
  },
  async customerMerge(_: unknown, args: { input: ManualMergeInput }, ctx: Context) {
    requireHq(ctx, 'customerMerge');
    const input = {
      survivorId: assertUuid(args.input.survivorId, 'input.survivorId', 'customer'),
      mergedId: assertUuid(args.input.mergedId, 'input.mergedId', 'customer'),
      reason: args.input.reason,
    };
    const result = published(ctx, await mergeManually(ctx.db, input, clock(ctx)));
    ctx.logger.info(
      { mergeId: result.merge?.id, errors: result.userErrors.length },
      'customers merged by steward',
    );
    return result;
  },
  async customerUnmerge(_: unknown, args: { input: { mergeId: string } }, ctx: Context) {
    requireHq(ctx, 'customerUnmerge');
    const result = published(
      ctx,
      await unmerge(ctx.db, assertUuid(args.input.mergeId, 'input.mergeId', 'merge'), clock(ctx)),
    );
    ctx.logger.info({ mergeId: args.input.mergeId, errors: result.userErrors.length }, 'merge undone');
    return result;
  },
  async customerExport(_: unknown, args: { input: { customerId: string } }, ctx: Context) {
    requireDataSubjectRight(ctx.viewer, 'export');
    const customerId = assertUuid(args.input.customerId, 'input.customerId', 'customer');
    const subject = await exportSubject(ctx.db, customerId);
    if (!subject)
      return {
        export: null,
        userErrors: [mutationError('input.customerId', 'CUSTOMER_NOT_FOUND', `no customer ${customerId}`)],
      };
    // The access log is the export's audit trail: who took whose data, when.
    ctx.logger.info(
      { audit: 'customer_export', actor: ctx.actor, customerId: subject.customerId },
      'customer data exported',
    );
    return { export: { ...subject, generatedAt: ctx.now() }, userErrors: [] };
  },
  async customerErase(_: unknown, args: { input: EraseInput }, ctx: Context) {
    requireDataSubjectRight(ctx.viewer, 'erase');
    const input = {
      customerId: assertUuid(args.input.customerId, 'input.customerId', 'customer'),
      reason: args.input.reason,
    };
    const result = published(ctx, await eraseCustomer(ctx.db, input, clock(ctx)));
    ctx.logger.info(
      { audit: 'customer_erase', actor: ctx.actor, erasureId: result.erasure?.id, created: result.created },
      'customer erasure requested',
    );
    return result;
  },
  async customerEventsRecord(_: unknown, args: { input: { events: CustomerEventInput[] } }, ctx: Context) {
    requireHq(ctx, 'customerEventsRecord');
    const report = await recordEvents(ctx.db, args.input.events, ctx.now());
    return {
      results: await Promise.all(
        report.results.map(async (r) => ({ ...r, customer: await ctx.loaders.customer.load(r.customerId) })),
      ),
      userErrors: report.userErrors,
    };
  },
  async consentUpdate(_: unknown, args: { input: ConsentUpdateInput }, ctx: Context) {
    // A dealer records statements only for its own customers (an unknown id is reported in userErrors).
    if (isUuid(args.input.customerId)) await loadCustomer(ctx, args.input.customerId.toLowerCase());
    return published(ctx, await updateConsents(ctx.db, args.input, clock(ctx)));
  },
  async segmentCreate(
    _: unknown,
    args: { input: { name: string; expression: SegmentExpressionInput } },
    ctx: Context,
  ) {
    requireHq(ctx, 'segmentCreate');
    return createSegment(ctx.db, args.input, clock(ctx));
  },
  async segmentExport(
    _: unknown,
    args: { input: { segmentId: string; channel: MarketingChannel } },
    ctx: Context,
  ) {
    requireHq(ctx, 'segmentExport');
    const segmentId = assertUuid(args.input.segmentId, 'input.segmentId', 'segment');
    const result = await exportSegment(ctx.db, { segmentId, channel: args.input.channel }, clock(ctx));
    ctx.logger.info(
      { segmentId, channel: args.input.channel, size: result.export?.size },
      'segment exported',
    );
    return result;
  },
};
