import { assertUuid, badInput, notFound } from '@cx/platform';
import { and, gte, lt } from 'drizzle-orm';
import { loadCapacity } from '../appointments/capacity.ts';
import type { Context } from '../context.ts';
import { appointments, type CareReminderRow } from '../db/schema.ts';
import { DEALER_CODE } from '../inputs.ts';
import { lists, reminderStatusIs } from '../loaders.ts';
import { breachingAt, listSlaPolicies } from '../repositories/complaints.ts';
import { DAY_MS } from '../time.ts';

/** The longest window `appointments` lists at once. */
export const MAX_APPOINTMENT_WINDOW_DAYS = 93;

interface PageArgs {
  first?: number | null;
  after?: string | null;
}

function dealerCodeArg(code: string): string {
  const normalized = code.trim().toUpperCase();
  if (!DEALER_CODE.test(normalized))
    throw badInput('dealerCode', 'must be 2 to 32 letters, digits or dashes', 'DEALER_CODE_INVALID');
  return normalized;
}

/** A by-id lookup that names the entity when it is missing. */
async function byId<T>(
  load: (id: string) => Promise<T | null>,
  id: string,
  entity: string,
  label: string,
): Promise<T> {
  const row = await load(assertUuid(id, 'id', label));
  if (!row) throw notFound(entity, id);
  return row;
}

export const Query = {
  repairOrder: (_: unknown, args: { id: string }, ctx: Context) =>
    byId((id) => ctx.loaders.repairOrder.load(id), args.id, 'RepairOrder', 'repair order'),
  complaint: (_: unknown, args: { id: string }, ctx: Context) =>
    byId((id) => ctx.loaders.complaint.load(id), args.id, 'Complaint', 'complaint'),
  appointment: (_: unknown, args: { id: string }, ctx: Context) =>
    byId((id) => ctx.loaders.appointment.load(id), args.id, 'Appointment', 'appointment'),
  warrantyClaim: (_: unknown, args: { id: string }, ctx: Context) =>
    byId((id) => ctx.loaders.warrantyClaim.load(id), args.id, 'WarrantyClaim', 'warranty claim'),
  roadsideCase: (_: unknown, args: { id: string }, ctx: Context) =>
    byId((id) => ctx.loaders.roadsideCase.load(id), args.id, 'RoadsideCase', 'roadside case'),

  appointments(_: unknown, args: PageArgs & { dealerCode: string; from: Date; to: Date }, ctx: Context) {
    const dealerCode = dealerCodeArg(args.dealerCode);
    if (args.to <= args.from) throw badInput('to', 'must be after from', 'OUT_OF_RANGE');
    if (args.to.getTime() - args.from.getTime() > MAX_APPOINTMENT_WINDOW_DAYS * DAY_MS)
      throw badInput('to', `must be at most ${MAX_APPOINTMENT_WINDOW_DAYS} days after from`, 'OUT_OF_RANGE');
    const window = and(gte(appointments.slotStart, args.from), lt(appointments.slotStart, args.to));
    return lists.appointments(ctx.db, 'dealer', window)(dealerCode, args);
  },
  async serviceCapacity(_: unknown, args: { dealerCode: string }, ctx: Context) {
    return loadCapacity(ctx.db, dealerCodeArg(args.dealerCode));
  },
  complaintsBreachingSla(_: unknown, args: PageArgs & { dealerCode: string }, ctx: Context) {
    const dealerCode = dealerCodeArg(args.dealerCode);
    return lists.complaints(ctx.db, 'dealer', breachingAt(ctx.now()))(dealerCode, args);
  },
  async complaintSlaPolicies(_: unknown, __: unknown, ctx: Context) {
    return listSlaPolicies(ctx.db);
  },
  careReminders(
    _: unknown,
    args: PageArgs & { dealerCode: string; status?: CareReminderRow['status'] | null },
    ctx: Context,
  ) {
    const dealerCode = dealerCodeArg(args.dealerCode);
    return lists.careReminders(ctx.db, 'dealer', reminderStatusIs(args.status ?? null))(dealerCode, args);
  },
};
