import type { Db } from '@cx/platform';
import type { ServiceCapacityRow } from '../db/schema.ts';
import { inputChecker } from '../inputs.ts';
import { findCapacity, upsertCapacity } from '../repositories/appointments.ts';
import { parseClock } from '../time.ts';
import { type Attribution, done, rejected, type StepResult } from '../userErrors.ts';

/** What a dealer without its own row gets: 4 bays, hourly slots, 08:00 to 18:00 Shanghai time. */
export const DEFAULT_CAPACITY = { bays: 4, slotMinutes: 60, opensAtMinute: 8 * 60, closesAtMinute: 18 * 60 };

export interface Capacity {
  dealerCode: string;
  bays: number;
  slotMinutes: number;
  opensAtMinute: number;
  closesAtMinute: number;
  /** False while the dealer runs on DEFAULT_CAPACITY. */
  configured: boolean;
}

export function capacityOf(dealerCode: string, row: ServiceCapacityRow | null): Capacity {
  return row ? { ...row, configured: true } : { dealerCode, ...DEFAULT_CAPACITY, configured: false };
}

export async function loadCapacity(db: Db, dealerCode: string): Promise<Capacity> {
  return capacityOf(dealerCode, await findCapacity(db, dealerCode));
}

export interface ServiceCapacitySetInput {
  dealerCode: string;
  bays: number;
  slotMinutes: number;
  opensAt: string;
  closesAt: string;
}

/** Sets a dealer's bays and slot grid; bookings already made keep their slots. */
export async function setCapacity(
  db: Db,
  input: ServiceCapacitySetInput,
  by: Attribution,
): Promise<StepResult<Capacity>> {
  const check = inputChecker();
  const dealerCode = check.dealerCode(input.dealerCode);
  const bays = check.intRange(input.bays, 'bays', 1, 100);
  const slotMinutes = check.intRange(input.slotMinutes, 'slotMinutes', 15, 480);
  if (slotMinutes % 15 !== 0) check.fail('slotMinutes', 'OUT_OF_RANGE', 'must be a multiple of 15');
  const opens = parseClock(input.opensAt);
  const closes = parseClock(input.closesAt);
  if (opens === null) check.fail('opensAt', 'TIME_INVALID', 'must be a time of day as HH:MM');
  if (closes === null) check.fail('closesAt', 'TIME_INVALID', 'must be a time of day as HH:MM');
  if (opens !== null && closes !== null && closes - opens < slotMinutes)
    check.fail('closesAt', 'OUT_OF_RANGE', 'must leave room for at least one slot after opensAt');
  if (check.errors.length > 0) return rejected(...check.errors);
  const row = await upsertCapacity(db, {
    dealerCode,
    bays,
    slotMinutes,
    opensAtMinute: opens!,
    closesAtMinute: closes!,
    updatedAt: by.now,
    updatedBy: by.actor,
  });
  return done(capacityOf(dealerCode, row));
}
