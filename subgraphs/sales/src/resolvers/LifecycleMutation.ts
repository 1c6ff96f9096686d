import { badInput } from '@cx/platform';
import type { Context } from '../context.ts';
import { createLeads, type LeadCreateInput } from '../leads/createLead.ts';
import { type CampaignUpsertInput, saveCampaign } from '../lifecycle/campaigns.ts';

import {
  changeLeadStatus,
  type FollowUpRecordInput,
  type LeadStatusChangeInput,
  recordFollowUp,
} from '../lifecycle/leads.ts';
import {
  advanceOrder,
  createOrder,
  deliverOrder,
  type SalesOrderAdvanceInput,
  type SalesOrderCreateInput,
  type SalesOrderDeliverInput,
} from '../lifecycle/orders.ts';
import {
  type ConsultantWorkingHoursSetInput,
  type DealerSlaSetInput,
  setDealerSla,
  setWorkingHours,
} from '../lifecycle/settings.ts';
import {
  completeTestDrive,
  scheduleTestDrive,
  type TestDriveCompleteInput,
  type TestDriveScheduleInput,
} from '../lifecycle/testDrives.ts';

export const MAX_INGEST_LEADS = 1000;

/** Lead lifecycle mutations, merged into the Mutation resolvers. Each is one transaction. */
export const LifecycleMutation = {
  async leadsIngest(_: unknown, args: { input: { leads: LeadCreateInput[] } }, ctx: Context) {
    const { leads } = args.input;
    if (leads.length === 0 || leads.length > MAX_INGEST_LEADS)
      throw badInput('leads', `must hold 1 to ${MAX_INGEST_LEADS} leads`, 'OUT_OF_RANGE');
    const results = await createLeads(ctx.db, leads, ctx.now());
    if (results.some((r) => r.assignment)) ctx.outbox.written();
    for (const r of results) if (r.lead) ctx.loaders.lead.prime(r.lead.id, r.lead);
    const merged = results.filter((r) => r.duplicate).length;
    const accepted = results.filter((r) => r.lead).length;
    ctx.logger.info({ records: leads.length, accepted, merged }, 'leads ingested');
    return {
      leads: results.map((r) => r.lead),
      created: accepted - merged,
      merged,
      userErrors: results.flatMap((r, index) => r.userErrors.map((e) => ({ index, ...e }))),
    };
  },
  async followUpRecord(_: unknown, args: { input: FollowUpRecordInput }, ctx: Context) {
    const result = await recordFollowUp(ctx.db, ctx.viewer, args.input, ctx.now());
    return {
      followUp: result.value?.followUp ?? null,
      lead: result.value?.lead ?? null,
      userErrors: result.userErrors,
    };
  },
  async leadStatusChange(_: unknown, args: { input: LeadStatusChangeInput }, ctx: Context) {
    const result = await changeLeadStatus(ctx.db, ctx.viewer, args.input, ctx.now());
    return { lead: result.value, userErrors: result.userErrors };
  },
  async testDriveSchedule(_: unknown, args: { input: TestDriveScheduleInput }, ctx: Context) {
    const result = await scheduleTestDrive(ctx.db, ctx.viewer, args.input, ctx.now());
    return { testDrive: result.value, userErrors: result.userErrors };
  },
  async testDriveComplete(_: unknown, args: { input: TestDriveCompleteInput }, ctx: Context) {
    const result = await completeTestDrive(ctx.db, ctx.viewer, args.input, ctx.now());
    if (result.value?.status === 'COMPLETED') ctx.kickRelay();
    return { testDrive: result.value, userErrors: result.userErrors };
  },
  async salesOrderCreate(_: unknown, args: { input: SalesOrderCreateInput }, ctx: Context) {
    const result = await createOrder(ctx.db, ctx.viewer, args.input, ctx.now());
    return { order: result.value, userErrors: result.userErrors };
  },
  async salesOrderAdvance(_: unknown, args: { input: SalesOrderAdvanceInput }, ctx: Context) {
    const result = await advanceOrder(ctx.db, ctx.viewer, args.input, ctx.now());
    return { order: result.value, userErrors: result.userErrors };
  },
  async salesOrderDeliver(_: unknown, args: { input: SalesOrderDeliverInput }, ctx: Context) {
    const result = await deliverOrder(ctx.db, ctx.viewer, args.input, ctx.now());
    if (result.value) ctx.kickRelay();
    return { order: result.value, userErrors: result.userErrors };
  },
  async dealerSlaSet(_: unknown, args: { input: DealerSlaSetInput }, ctx: Context) {
    const result = await setDealerSla(ctx.db, ctx.viewer, args.input);
    if (result.value) ctx.loaders.dealer.prime(result.value.code, result.value);
    return { dealer: result.value, userErrors: result.userErrors };
  },
  async consultantWorkingHoursSet(_: unknown, args: { input: ConsultantWorkingHoursSetInput }, ctx: Context) {
    const result = await setWorkingHours(ctx.db, ctx.viewer, args.input);
    return { consultant: result.value, userErrors: result.userErrors };
  },
  async campaignUpsert(_: unknown, args: { input: CampaignUpsertInput }, ctx: Context) {
    const result = await saveCampaign(ctx.db, ctx.viewer, args.input);
    return { campaign: result.value, userErrors: result.userErrors };
  },
};
