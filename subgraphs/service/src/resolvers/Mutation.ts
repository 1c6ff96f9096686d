import type { Db } from '@cx/platform';
import { bookAppointment, cancelAppointment } from '../appointments/booking.ts';
import { setCapacity } from '../appointments/capacity.ts';
import { generateCareRemindersAsOf, markCareReminder } from '../care/reminders.ts';
import {
  acknowledgeComplaint,
  openComplaint,
  resolveComplaint,
  setSlaPolicy,
} from '../complaints/complaints.ts';
import { type Context, stepBy } from '../context.ts';
import { ingestRepairOrders, type RepairOrderRecordInput } from '../ingest/ingestRepairOrders.ts';
import { transitionRepairOrder } from '../repairOrders/transition.ts';
import { closeRoadsideCase, openRoadsideCase } from '../roadside/cases.ts';
import { type Attribution, type StepResult, toPayload } from '../userErrors.ts';
import { decideWarrantyClaim, fileWarrantyClaim } from '../warranty/claims.ts';

/** A mutation that runs one step with the caller's clock and identity and returns `{ <key>, userErrors }`. */
function step<K extends string, I, T>(
  name: string,
  key: K,
  run: (db: Db, input: I, by: Attribution) => Promise<StepResult<T>>,
) {
  return async (_: unknown, args: { input: I }, ctx: Context) => {
    const result = await run(ctx.db, args.input, stepBy(ctx));
    if (result.ok) ctx.kickRelay();
    ctx.logger.info(
      { mutation: name, rejected: result.ok ? undefined : result.userErrors.map((e) => e.code) },
      'service step',
    );
    return toPayload(key, result);
  };
}

export const Mutation = {
  async repairOrdersIngest(_: unknown, args: { input: { records: RepairOrderRecordInput[] } }, ctx: Context) {
    const report = await ingestRepairOrders(ctx.db, args.input.records, stepBy(ctx));
    ctx.kickRelay();
    ctx.logger.info(
      { records: args.input.records.length, rejected: report.userErrors.length },
      'repair orders ingested',
    );
    return {
      results: await Promise.all(
        report.results.map(async (r) => ({
          ...r,
          repairOrder: await ctx.loaders.repairOrder.load(r.repairOrderId),
        })),
      ),
      userErrors: report.userErrors,
    };
  },
  repairOrderTransition: step('repairOrderTransition', 'repairOrder', transitionRepairOrder),
  appointmentBook: step('appointmentBook', 'appointment', bookAppointment),
  appointmentCancel: step('appointmentCancel', 'appointment', cancelAppointment),
  serviceCapacitySet: step('serviceCapacitySet', 'serviceCapacity', setCapacity),
  warrantyClaimFile: step('warrantyClaimFile', 'warrantyClaim', fileWarrantyClaim),
  warrantyClaimDecide: step('warrantyClaimDecide', 'warrantyClaim', decideWarrantyClaim),
  roadsideCaseOpen: step('roadsideCaseOpen', 'roadsideCase', openRoadsideCase),
  roadsideCaseClose: step('roadsideCaseClose', 'roadsideCase', closeRoadsideCase),
  complaintOpen: step('complaintOpen', 'complaint', openComplaint),
  complaintAcknowledge: step('complaintAcknowledge', 'complaint', acknowledgeComplaint),
  complaintResolve: step('complaintResolve', 'complaint', resolveComplaint),
  complaintSlaPolicySet: step('complaintSlaPolicySet', 'policy', setSlaPolicy),
  careReminderMark: step('careReminderMark', 'careReminder', markCareReminder),
  async careRemindersGenerate(_: unknown, args: { input: { asOf: Date } }, ctx: Context) {
    const result = await generateCareRemindersAsOf(ctx.db, args.input, stepBy(ctx));
    if (!result.ok) return { vehiclesScanned: 0, created: 0, userErrors: result.userErrors };
    ctx.logger.info({ asOf: args.input.asOf, ...result.row }, 'care reminders generated');
    return { ...result.row, userErrors: [] };
  },
};
