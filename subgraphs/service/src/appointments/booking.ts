import type { Db } from '@cx/platform';
import { isUniqueViolation } from '../db/errors.ts';
import type { AppointmentRow } from '../db/schema.ts';
import { inputChecker } from '../inputs.ts';
import {
  countOverlapping,
  insertAppointment,
  lockAppointment,
  lockDealerDay,
  updateAppointment,
} from '../repositories/appointments.ts';
import { moveLocked, type Transitions } from '../stateMachine.ts';
import { DAY_MS, formatClock, MINUTE_MS, shanghaiDayStart, shanghaiMinuteOfDay } from '../time.ts';
import { type Attribution, done, rejected, type StepResult, userError } from '../userErrors.ts';
import { type Capacity, loadCapacity } from './capacity.ts';

export type AppointmentChannel = AppointmentRow['channel'];
type AppointmentStatus = AppointmentRow['status'];

/** How far ahead a slot can be booked. */
export const BOOKING_HORIZON_DAYS = 90;

const appointmentTransitions: Transitions<AppointmentStatus> = { BOOKED: ['CANCELLED'], CANCELLED: [] };

export interface AppointmentBookInput {
  customerId: string;
  vin: string;
  dealerCode: string;
  slotStart: Date;
  channel: AppointmentChannel;
  note?: string | null;
}

/** Why a slot cannot be booked at this dealer, or null when it is a real, open slot. */
function slotProblem(capacity: Capacity, start: Date, channel: AppointmentChannel, now: Date): string | null {
  const minute = shanghaiMinuteOfDay(start);
  const onGrid =
    start.getTime() % MINUTE_MS === 0 &&
    minute >= capacity.opensAtMinute &&
    minute + capacity.slotMinutes <= capacity.closesAtMinute &&
    (minute - capacity.opensAtMinute) % capacity.slotMinutes === 0;
  if (!onGrid) {
    return `must start on the ${capacity.slotMinutes}-minute grid between ${formatClock(capacity.opensAtMinute)} and ${formatClock(capacity.closesAtMinute)} (Asia/Shanghai)`;
  }
  // A walk-in may take the slot under way; other channels book ahead.
  const earliest = channel === 'WALK_IN' ? now.getTime() - capacity.slotMinutes * MINUTE_MS : now.getTime();
  if (start.getTime() < earliest) return 'lies in the past';
  if (start.getTime() > now.getTime() + BOOKING_HORIZON_DAYS * DAY_MS)
    return `is more than ${BOOKING_HORIZON_DAYS} days ahead`;
  return null;
}

const vehicleBusy = userError('vin', 'VEHICLE_ALREADY_BOOKED', 'already has a booking at this time');

/**
 * Books a service slot. Bookings of one dealer's day are serialized by a transaction-scoped
 * advisory lock, so the count of overlapping bookings never exceeds the dealer's bays, whatever
 * the concurrency.
 */
export async function bookAppointment(
  db: Db,
  input: AppointmentBookInput,
  by: Attribution,
): Promise<StepResult<AppointmentRow>> {
  const check = inputChecker();
  const booking: AppointmentBookInput = {
    customerId: check.uuid(input.customerId, 'customerId', 'customer'),
    vin: check.vin(input.vin),
    dealerCode: check.dealerCode(input.dealerCode),
    slotStart: input.slotStart,
    channel: input.channel,
    note: check.optionalText(input.note, 'note', 500),
  };
  if (check.errors.length > 0) return rejected(...check.errors);
  try {
    return await book(db, booking, by);
  } catch (error) {
    // The dealer-day lock cannot see a booking of the same vehicle at another dealer: the unique
    // index catches that race, and it is reported like the check inside.
    if (isUniqueViolation(error, 'appointments_vin_slot_booked_uq')) return rejected(vehicleBusy);
    throw error;
  }
}

function book(db: Db, booking: AppointmentBookInput, by: Attribution): Promise<StepResult<AppointmentRow>> {
  const { dealerCode, vin, slotStart: start } = booking;
  return db.transaction(async (tx) => {
    const capacity = await loadCapacity(tx, dealerCode);
    const problem = slotProblem(capacity, start, booking.channel, by.now);
    if (problem) return rejected(userError('slotStart', 'SLOT_INVALID', problem));
    const end = new Date(start.getTime() + capacity.slotMinutes * MINUTE_MS);
    await lockDealerDay(tx, dealerCode, shanghaiDayStart(start));
    const taken = await countOverlapping(tx, { dealerCode, vin, start, end });
    if (taken.vehicleBusy) return rejected(vehicleBusy);
    if (taken.atDealer >= capacity.bays) {
      const message = `all ${capacity.bays} bays of ${dealerCode} are booked for this slot`;
      return rejected(userError('slotStart', 'SLOT_FULL', message));
    }
    const row = await insertAppointment(tx, {
      ...booking,
      note: booking.note ?? null,
      slotEnd: end,
      bookedAt: by.now,
      bookedBy: by.actor,
    });
    return done(row);
  });
}

export interface AppointmentCancelInput {
  appointmentId: string;
  reason?: string | null;
}

/** Frees the bay. A slot that has started can no longer be cancelled: it is a visit or a no-show. */
export async function cancelAppointment(
  db: Db,
  input: AppointmentCancelInput,
  by: Attribution,
): Promise<StepResult<AppointmentRow>> {
  const check = inputChecker();
  const reason = check.optionalText(input.reason, 'reason', 500);
  return moveLocked(db, check, {
    entity: 'appointment',
    id: input.appointmentId,
    idField: 'appointmentId',
    to: 'CANCELLED',
    toField: 'appointmentId',
    transitions: appointmentTransitions,
    lock: lockAppointment,
    guard: (appointment) =>
      appointment.slotStart <= by.now
        ? userError('appointmentId', 'APPOINTMENT_STARTED', 'its slot has already started')
        : null,
    apply: (tx, appointment) =>
      updateAppointment(tx, appointment.id, {
        status: 'CANCELLED',
        cancelledAt: by.now,
        cancelledBy: by.actor,
        cancelReason: reason,
      }),
  });
}
