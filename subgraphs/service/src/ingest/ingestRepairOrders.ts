import { badInput, contentHash, type Db, isUuid } from '@cx/platform';
import { validateVin } from '@cx/platform/domain/vin';
import type { repairOrderLines, RepairOrderStatus as Status } from '../db/schema.ts';
import { recordVehicleFacts } from '../facts/vehicleFacts.ts';
import { DEALER_CODE, DECIMAL_AMOUNT } from '../inputs.ts';
import { ingestMayMove } from '../repairOrders/lifecycle.ts';
import { recordSteps } from '../repairOrders/steps.ts';
import {
  findRepairOrdersByExternalKeys,
  replaceLines,
  upsertRepairOrders,
} from '../repositories/repairOrders.ts';
import { transitionMessage } from '../stateMachine.ts';
import type { Attribution } from '../userErrors.ts';

export const MAX_BATCH = 1000;

export interface RepairOrderRecordInput {
  dealerCode: string;
  externalId: string;
  vin: string;
  customerId?: string | null;
  status?: Status | null;
  mileageKm?: number | null;
  openedAt: Date;
  closedAt?: Date | null;
  lines?: { kind: 'LABOR' | 'PART'; description: string; quantity: number; unitPrice: string }[] | null;
}

export interface IngestError {
  index: number;
  field: string;
  code: string;
  message: string;
}

const keyOf = (dealerCode: string, externalId: string) => `${dealerCode}\u0000${externalId}`;

/**
 * Idempotent by (dealerCode, externalId), in one transaction with bulk statements. Every new
 * order and every status change lands in the timeline, and each visit updates vehicle_facts.
 */
export async function ingestRepairOrders(db: Db, inputs: RepairOrderRecordInput[], by: Attribution) {
  const { now } = by;
  if (inputs.length > MAX_BATCH)
    throw badInput('input.records', `accepts at most ${MAX_BATCH} records per call`, 'BATCH_TOO_LARGE');
  const userErrors: IngestError[] = [];
  const fail = (index: number, field: string, code: string, message: string) =>
    userErrors.push({ index, field, code, message: `${field}: ${message}` });
  const valid: {
    index: number;
    input: RepairOrderRecordInput & { vin: string };
    total: number;
    hash: string;
  }[] = [];
  const seen = new Set<string>();

  for (const [index, input] of inputs.entries()) {
    const before = userErrors.length;
    const dealerCode = input.dealerCode.trim().toUpperCase();
    const externalId = input.externalId.trim();
    if (!DEALER_CODE.test(dealerCode))
      fail(index, 'dealerCode', 'DEALER_CODE_INVALID', 'must be 2 to 32 letters, digits or dashes');
    if (!externalId || externalId.length > 64)
      fail(index, 'externalId', 'EXTERNAL_ID_INVALID', 'must be 1 to 64 characters');
    const vin = validateVin(input.vin);
    if (!vin.ok) fail(index, 'vin', vin.code, vin.message);
    if (input.customerId && !isUuid(input.customerId))
      fail(index, 'customerId', 'INVALID_ID', 'is not a customer id');
    if (
      input.mileageKm !== null &&
      input.mileageKm !== undefined &&
      (input.mileageKm < 0 || input.mileageKm > 2_000_000)
    ) {
      fail(index, 'mileageKm', 'MILEAGE_OUT_OF_RANGE', 'must be between 0 and 2,000,000');
    }
    if (input.openedAt.getTime() > now.getTime() + 86_400_000)
      fail(index, 'openedAt', 'DATE_IN_FUTURE', 'lies in the future');
    if (input.closedAt && input.closedAt < input.openedAt)
      fail(index, 'closedAt', 'CLOSED_BEFORE_OPENED', 'is before openedAt');
    let total = 0;
    (input.lines ?? []).forEach((line, i) => {
      if (!DECIMAL_AMOUNT.test(line.unitPrice))
        fail(
          index,
          `lines[${i}].unitPrice`,
          'MONEY_INVALID',
          'must be a decimal amount with at most 2 decimals',
        );
      if (!(line.quantity > 0 && line.quantity <= 10_000))
        fail(index, `lines[${i}].quantity`, 'QUANTITY_OUT_OF_RANGE', 'must be above 0 and at most 10,000');
      if (!line.description.trim())
        fail(index, `lines[${i}].description`, 'DESCRIPTION_EMPTY', 'must not be empty');
      total += Math.round(line.quantity * Number(line.unitPrice) * 100);
    });
    if (userErrors.length > before || !vin.ok) continue;
    const key = keyOf(dealerCode, externalId);
    if (seen.has(key)) {
      fail(index, 'externalId', 'DUPLICATE_IN_BATCH', 'appears twice in this batch for the same dealer');
      continue;
    }
    seen.add(key);
    const normalized = {
      ...input,
      dealerCode,
      externalId,
      vin: vin.vin,
      customerId: input.customerId?.toLowerCase() ?? null,
    };
    valid.push({
      index,
      input: normalized,
      total: total / 100,
      hash: contentHash({
        ...normalized,
        openedAt: input.openedAt.toISOString(),
        closedAt: input.closedAt?.toISOString(),
      }),
    });
  }
  if (valid.length === 0) return { results: [], userErrors };

  return db.transaction(async (tx) => {
    const existing = new Map(
      (
        await findRepairOrdersByExternalKeys(
          tx,
          valid.map((v) => ({ dealerCode: v.input.dealerCode, externalId: v.input.externalId })),
        )
      ).map((r) => [keyOf(r.dealerCode, r.externalId ?? ''), r]),
    );
    const priorOf = (dealerCode: string, externalId: string | null) =>
      existing.get(keyOf(dealerCode, externalId ?? ''));
    const statusOf = (v: (typeof valid)[number]): Status =>
      v.input.status ?? priorOf(v.input.dealerCode, v.input.externalId)?.status ?? 'OPEN';
    // A DMS may skip steps between syncs, but never reopen a finished order or go back.
    const accepted = valid.filter((v) => {
      const prior = priorOf(v.input.dealerCode, v.input.externalId);
      if (!prior || ingestMayMove(prior.status, statusOf(v))) return true;
      fail(
        v.index,
        'status',
        'ILLEGAL_TRANSITION',
        transitionMessage('repair order', prior.status, statusOf(v)),
      );
      return false;
    });
    const changed = accepted.filter(
      (v) => priorOf(v.input.dealerCode, v.input.externalId)?.ingestHash !== v.hash,
    );
    const written = await upsertRepairOrders(
      tx,
      changed.map((v) => ({
        dealerCode: v.input.dealerCode,
        externalId: v.input.externalId,
        vin: v.input.vin,
        customerId: v.input.customerId,
        status: statusOf(v),
        mileageKm: v.input.mileageKm ?? null,
        totalAmount: v.total.toFixed(2),
        ingestHash: v.hash,
        openedAt: v.input.openedAt,
        closedAt: v.input.closedAt ?? null,
        createdAt: now,
        updatedAt: now,
      })),
    );
    await recordSteps(
      tx,
      written.map((order) => ({ order, from: priorOf(order.dealerCode, order.externalId)?.status ?? null })),
      'INGEST',
      by,
    );
    await recordVehicleFacts(
      tx,
      written.map((r) => ({
        vin: r.vin,
        customerId: r.customerId,
        dealerCode: r.dealerCode,
        mileageKm: r.mileageKm,
        mileageAt: r.openedAt,
      })),
      now,
    );
    const idByKey = new Map(written.map((r) => [keyOf(r.dealerCode, r.externalId ?? ''), r.id]));
    const lines: (typeof repairOrderLines.$inferInsert)[] = changed.flatMap((v) =>
      (v.input.lines ?? []).map((line, position) => ({
        repairOrderId: idByKey.get(keyOf(v.input.dealerCode, v.input.externalId))!,
        position,
        kind: line.kind,
        description: line.description.trim(),
        quantity: String(line.quantity),
        unitPrice: Number(line.unitPrice).toFixed(2),
      })),
    );
    await replaceLines(tx, [...idByKey.values()], lines);
    const results = accepted.map((v) => {
      const key = keyOf(v.input.dealerCode, v.input.externalId);
      const prior = existing.get(key);
      const id = idByKey.get(key) ?? prior!.id;
      const outcome = !idByKey.has(key) ? 'UNCHANGED' : prior ? 'UPDATED' : 'CREATED';
      return { index: v.index, externalId: v.input.externalId, repairOrderId: id, outcome };
    });
    return { results, userErrors: userErrors.sort((a, b) => a.index - b.index) };
  });
}
