import { type Db, isUuid, type Viewer } from '@cx/platform';
import { validateVin } from '@cx/platform/domain/vin';
import type { TestDriveRow } from '../db/schema.ts';
import {
  findOverlappingDrive,
  insertTestDrive,
  lockTestDrive,
  updateTestDrive,
} from '../repositories/lifecycle.ts';
import { applyLeadMove, assertWriter, fail, lockLeadInScope, type Outcome, ok } from './leadMove.ts';
import { cleanText, lockOpenLead, MAX_NOTE_LENGTH, tooLong } from './leads.ts';
import { publishSalesEvent } from './publish.ts';
import { canMove, leadTransitions } from './status.ts';

export interface TestDriveScheduleInput {
  leadId: string;
  slotStart: Date;
  durationMinutes?: number | null;
  modelCode?: string | null;
  vin?: string | null;
}

export async function scheduleTestDrive(
  db: Db,
  viewer: Viewer | null,
  input: TestDriveScheduleInput,
  now: Date,
): Promise<Outcome<TestDriveRow>> {
  assertWriter(viewer);
  const minutes = input.durationMinutes ?? 30;
  if (!Number.isInteger(minutes) || minutes < 15 || minutes > 240)
    return fail('durationMinutes', 'OUT_OF_RANGE', 'must be between 15 and 240');
  if (input.slotStart.getTime() < now.getTime())
    return fail('slotStart', 'SLOT_IN_PAST', 'the slot has already begun');
  let vin: string | null = null;
  if (input.vin?.trim()) {
    const checked = validateVin(input.vin);
    if (!checked.ok) return fail('vin', checked.code, checked.message);
    vin = checked.vin;
  }
  const slotEnd = new Date(input.slotStart.getTime() + minutes * 60_000);
  return db.transaction(async (tx) => {
    const open = await lockOpenLead(tx, viewer, input.leadId);
    if (!open.value) return open;
    const lead = open.value;
    const modelCode = input.modelCode?.trim().toUpperCase() || lead.modelCode;
    if (!modelCode) return fail('modelCode', 'REQUIRED', 'the lead has no interested model; name one');
    if (vin && (await findOverlappingDrive(tx, { vin, start: input.slotStart, end: slotEnd })))
      return fail('slotStart', 'SLOT_TAKEN', `vehicle ${vin} is booked for another drive at that time`);
    const drive = await insertTestDrive(tx, {
      leadId: lead.id,
      customerId: lead.customerId,
      dealerCode: lead.dealerCode!,
      consultantId: lead.consultantId,
      modelCode,
      vin,
      slotStart: input.slotStart,
      slotEnd,
      createdAt: now,
    });
    await applyLeadMove(
      tx,
      lead,
      {
        to: null,
        events: [
          {
            leadId: lead.id,
            kind: 'TEST_DRIVE_SCHEDULED',
            at: now,
            consultantId: lead.consultantId,
            note: `${modelCode} at ${input.slotStart.toISOString()}`,
          },
        ],
      },
      now,
    );
    return ok(drive);
  });
}

export interface TestDriveCompleteInput {
  testDriveId: string;
  outcome: 'LIKED' | 'NEUTRAL' | 'DISLIKED' | 'NO_SHOW';
  note?: string | null;
}

/**
 * Completes a SCHEDULED drive. A drive that took place moves the lead to TEST_DRIVEN (when that is
 * forward for it) and publishes 'sales.test_drive_completed' in the same transaction; a NO_SHOW
 * only records itself.
 */
export async function completeTestDrive(
  db: Db,
  viewer: Viewer | null,
  input: TestDriveCompleteInput,
  now: Date,
): Promise<Outcome<TestDriveRow>> {
  assertWriter(viewer);
  const id = input.testDriveId.trim().toLowerCase();
  if (!isUuid(id)) return fail('testDriveId', 'INVALID_ID', 'is not a test drive id');
  const rejected = tooLong(input.note, 'note', MAX_NOTE_LENGTH);
  if (rejected) return rejected;
  return db.transaction(async (tx) => {
    const drive = await lockTestDrive(tx, id);
    if (!drive) return fail('testDriveId', 'NOT_FOUND', `test drive ${id} was not found`);
    const locked = await lockLeadInScope(tx, viewer, drive.leadId, 'testDriveId');
    if (!locked.value) return locked;
    const lead = locked.value;
    if (drive.status !== 'SCHEDULED')
      return fail('testDriveId', 'ILLEGAL_TRANSITION', `the test drive is already ${drive.status}`);
    const held = input.outcome !== 'NO_SHOW';
    const updated = await updateTestDrive(tx, drive.id, {
      status: held ? 'COMPLETED' : 'NO_SHOW',
      outcome: input.outcome,
      note: cleanText(input.note),
      completedAt: now,
    });
    await applyLeadMove(
      tx,
      lead,
      {
        to: held && canMove(leadTransitions, lead.status, 'TEST_DRIVEN') ? 'TEST_DRIVEN' : null,
        consultantId: drive.consultantId,
        events: [
          {
            leadId: lead.id,
            kind: 'TEST_DRIVE_COMPLETED',
            at: now,
            consultantId: drive.consultantId,
            note: `${drive.modelCode}: ${input.outcome}`,
          },
        ],
      },
      now,
    );
    if (held)
      await publishSalesEvent(tx, 'sales.test_drive_completed', drive.id, {
        testDriveId: drive.id,
        customerId: drive.customerId,
        dealerCode: drive.dealerCode,
        modelCode: drive.modelCode,
        at: now.toISOString(),
      });
    return ok(updated);
  });
}
