import type { Db } from '@cx/platform';
import { isUniqueViolation } from '../db/errors.ts';
import type { RoadsideCaseRow } from '../db/schema.ts';
import { publishRoadsideClosed } from '../events/publish.ts';
import { inputChecker } from '../inputs.ts';
import { insertRoadsideCase, lockRoadsideCase, updateRoadsideCase } from '../repositories/roadsideCases.ts';
import { moveLocked, type Transitions } from '../stateMachine.ts';
import { type Attribution, done, rejected, type StepResult, userError } from '../userErrors.ts';

type CaseStatus = RoadsideCaseRow['status'];
const roadsideTransitions: Transitions<CaseStatus> = { OPEN: ['CLOSED'], CLOSED: [] };

export interface RoadsideCaseOpenInput {
  customerId: string;
  vin: string;
  kind: RoadsideCaseRow['kind'];
  location: string;
  latitude?: number | null;
  longitude?: number | null;
  dealerCode?: string | null;
  description?: string | null;
}

function coordinate(
  check: ReturnType<typeof inputChecker>,
  value: number | null | undefined,
  field: string,
  limit: number,
): number | null {
  if (value === null || value === undefined) return null;
  if (!(Math.abs(value) <= limit))
    check.fail(field, 'OUT_OF_RANGE', `must be between -${limit} and ${limit}`);
  return value;
}

/** Opens a case for a stranded vehicle; a vehicle has at most one open case (a unique index). */
export async function openRoadsideCase(
  db: Db,
  input: RoadsideCaseOpenInput,
  by: Attribution,
): Promise<StepResult<RoadsideCaseRow>> {
  const check = inputChecker();
  const customerId = check.uuid(input.customerId, 'customerId', 'customer');
  const vin = check.vin(input.vin);
  const location = check.text(input.location, 'location', 300);
  const latitude = coordinate(check, input.latitude, 'latitude', 90);
  const longitude = coordinate(check, input.longitude, 'longitude', 180);
  const dealerCode = input.dealerCode?.trim() ? check.dealerCode(input.dealerCode) : null;
  const description = check.optionalText(input.description, 'description', 2000);
  if (check.errors.length > 0) return rejected(...check.errors);
  try {
    const row = await insertRoadsideCase(db, {
      customerId,
      vin,
      dealerCode,
      kind: input.kind,
      location,
      latitude,
      longitude,
      description,
      openedAt: by.now,
      openedBy: by.actor,
    });
    return done(row);
  } catch (error) {
    if (!isUniqueViolation(error, 'roadside_cases_vin_open_uq')) throw error;
    return rejected(userError('vin', 'CASE_ALREADY_OPEN', 'this vehicle already has an open roadside case'));
  }
}

export interface RoadsideCaseCloseInput {
  roadsideCaseId: string;
  resolution: NonNullable<RoadsideCaseRow['resolution']>;
  dealerCode?: string | null;
  note?: string | null;
}

/** Closes a case with its outcome; a tow needs the dealer the vehicle went to. */
export async function closeRoadsideCase(
  db: Db,
  input: RoadsideCaseCloseInput,
  by: Attribution,
): Promise<StepResult<RoadsideCaseRow>> {
  const check = inputChecker();
  const dealerCode = input.dealerCode?.trim() ? check.dealerCode(input.dealerCode) : null;
  const note = check.optionalText(input.note, 'note', 2000);
  return moveLocked(db, check, {
    entity: 'roadside case',
    id: input.roadsideCaseId,
    idField: 'roadsideCaseId',
    to: 'CLOSED',
    toField: 'roadsideCaseId',
    transitions: roadsideTransitions,
    lock: lockRoadsideCase,
    guard: (found) =>
      input.resolution === 'TOWED_TO_DEALER' && !(dealerCode ?? found.dealerCode)
        ? userError('dealerCode', 'REQUIRED', 'a tow needs the dealer the vehicle was taken to')
        : null,
    async apply(tx, found) {
      const row = await updateRoadsideCase(tx, found.id, {
        status: 'CLOSED',
        resolution: input.resolution,
        dealerCode: dealerCode ?? found.dealerCode,
        note,
        closedAt: by.now,
        closedBy: by.actor,
      });
      await publishRoadsideClosed(tx, row);
      return row;
    },
  });
}
