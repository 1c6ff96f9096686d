import { type Db, dealerOf, forbidden, isUuid, type Viewer } from '@cx/platform';
import { GraphQLError } from 'graphql';
import type { ConsultantRow, DealerRow, WorkingHours } from '../db/schema.ts';
import { workingHoursProblem } from '../leads/workingHours.ts';
import { findConsultantsByIds, findDealersByCodes } from '../repositories/dealers.ts';
import { updateConsultant, updateDealer } from '../repositories/lifecycle.ts';
import { fail, type Outcome, ok } from './leadMove.ts';

/** HQ admins configure any dealer, a dealer manager their own; nobody else. */
function assertConfigures(viewer: Viewer | null, dealerCode: string): void {
  if (!viewer || viewer.role === 'hq_admin') return;
  if (viewer.role !== 'dealer_manager')
    throw new GraphQLError(`the role ${viewer.role} cannot configure dealers`, {
      extensions: { code: 'FORBIDDEN' },
    });
  if (dealerOf(viewer) !== dealerCode) throw forbidden('Dealer', dealerCode);
}

export interface DealerSlaSetInput {
  dealerCode: string;
  slaMinutes?: number | null;
  escalationMinutes?: number | null;
  /** A consultant of the dealer, or null to clear. */
  managerConsultantId?: string | null;
}

/** Sets a dealer's SLA windows and manager; timers already running keep their due times. */
export async function setDealerSla(
  db: Db,
  viewer: Viewer | null,
  input: DealerSlaSetInput,
): Promise<Outcome<DealerRow>> {
  const code = input.dealerCode.trim().toUpperCase();
  const minutes = (v: number | null | undefined, field: string) =>
    v !== undefined && v !== null && (!Number.isInteger(v) || v < 1 || v > 7 * 24 * 60)
      ? fail(field, 'OUT_OF_RANGE', 'must be between 1 and 10080 minutes')
      : null;
  const bad =
    minutes(input.slaMinutes, 'slaMinutes') ?? minutes(input.escalationMinutes, 'escalationMinutes');
  if (bad) return bad;
  const [dealer] = await findDealersByCodes(db, [code]);
  if (!dealer) return fail('dealerCode', 'NOT_FOUND', `dealer ${code} was not found`);
  assertConfigures(viewer, code);
  const manager = input.managerConsultantId?.trim().toLowerCase();
  if (manager) {
    const [c] = isUuid(manager) ? await findConsultantsByIds(db, [manager]) : [];
    if (!c || c.dealerCode !== code)
      return fail('managerConsultantId', 'NOT_FOUND', `no consultant ${manager} at dealer ${code}`);
  }
  const set = {
    ...(input.slaMinutes ? { slaMinutes: input.slaMinutes } : {}),
    ...(input.escalationMinutes ? { escalationMinutes: input.escalationMinutes } : {}),
    ...(input.managerConsultantId !== undefined ? { managerConsultantId: manager || null } : {}),
  };
  return ok(Object.keys(set).length > 0 ? await updateDealer(db, code, set) : dealer);
}

export interface ConsultantWorkingHoursSetInput {
  consultantId: string;
  /** Null: always available. */
  workingHours: WorkingHours | null;
}

export async function setWorkingHours(
  db: Db,
  viewer: Viewer | null,
  input: ConsultantWorkingHoursSetInput,
): Promise<Outcome<ConsultantRow>> {
  const id = input.consultantId.trim().toLowerCase();
  if (!isUuid(id)) return fail('consultantId', 'INVALID_ID', 'is not a consultant id');
  const hours = input.workingHours
    ? {
        days: [...new Set(input.workingHours.days)].sort(),
        start: input.workingHours.start,
        end: input.workingHours.end,
      }
    : null;
  const problem = hours && workingHoursProblem(hours);
  if (problem) return fail('workingHours', 'INVALID_WORKING_HOURS', problem);
  const [consultant] = await findConsultantsByIds(db, [id]);
  if (!consultant) return fail('consultantId', 'NOT_FOUND', `consultant ${id} was not found`);
  assertConfigures(viewer, consultant.dealerCode);
  return ok(await updateConsultant(db, id, { workingHours: hours }));
}
