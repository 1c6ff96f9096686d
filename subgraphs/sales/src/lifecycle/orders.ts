import { type Db, forbidden, isUuid, type Viewer } from '@cx/platform';
import { validateVin } from '@cx/platform/domain/vin';
import type { LeadRow, SalesOrderRow } from '../db/schema.ts';
import { lockLead } from '../repositories/leads.ts';
import { findDeliveredOrderOfVin, insertOrder, lockOrder, updateOrder } from '../repositories/lifecycle.ts';
import { isLeadVisible, visibleOrder } from '../scope.ts';
import { applyLeadMove, assertWriter, fail, lockLeadInScope, type Outcome, ok } from './leadMove.ts';
import { publishSalesEvent } from './publish.ts';
import { canMove, leadTransitions, type OrderStatus, orderTransitions } from './status.ts';

/** Up to 10 integer digits and 2 decimals, positive: what numeric(12, 2) holds. */
const amountPattern = /^\d{1,10}(\.\d{1,2})?$/;
const currencyPattern = /^[A-Z]{3}$/;

/** Checks a decimal amount and an ISO 4217 currency (default CNY) given as strings. */
export function parseMoney(
  amount: string,
  currency: string | null | undefined,
  field: string,
): Outcome<{ amount: string; currency: string }> {
  const a = amount.trim();
  if (!amountPattern.test(a) || Number(a) <= 0)
    return fail(
      field,
      'INVALID_AMOUNT',
      'must be a positive decimal with at most 2 decimals, e.g. "159800.00"',
    );
  const c = currency?.trim().toUpperCase() || 'CNY';
  if (!currencyPattern.test(c)) return fail('currency', 'INVALID_CURRENCY', 'must be an ISO 4217 code');
  return ok({ amount: a, currency: c });
}

export interface SalesOrderCreateInput {
  leadId: string;
  totalAmount: string;
  currency?: string | null;
  modelCode?: string | null;
}

export async function createOrder(
  db: Db,
  viewer: Viewer | null,
  input: SalesOrderCreateInput,
  now: Date,
): Promise<Outcome<SalesOrderRow>> {
  assertWriter(viewer);
  const money = parseMoney(input.totalAmount, input.currency, 'totalAmount');
  if (!money.value) return money;
  return db.transaction(async (tx) => {
    const locked = await lockLeadInScope(tx, viewer, input.leadId);
    if (!locked.value) return locked;
    const lead = locked.value;
    if (!canMove(leadTransitions, lead.status, 'ORDERED') || !lead.dealerCode)
      return fail('leadId', 'ILLEGAL_TRANSITION', `a lead cannot move from ${lead.status} to ORDERED`);
    const order = await insertOrder(tx, {
      customerId: lead.customerId,
      leadId: lead.id,
      dealerCode: lead.dealerCode,
      modelCode: input.modelCode?.trim().toUpperCase() || lead.modelCode,
      totalAmount: money.value.amount,
      currency: money.value.currency,
      createdAt: now,
      updatedAt: now,
    });
    await applyLeadMove(
      tx,
      lead,
      {
        to: 'ORDERED',
        consultantId: lead.consultantId,
        events: [orderEvent(lead, 'ORDER_CREATED', order, now)],
      },
      now,
    );
    return ok(order);
  });
}

function orderEvent(
  lead: LeadRow,
  kind: 'ORDER_CREATED' | 'ORDER_ADVANCED' | 'ORDER_DELIVERED',
  order: SalesOrderRow,
  now: Date,
) {
  return {
    leadId: lead.id,
    kind,
    at: now,
    consultantId: lead.consultantId,
    note: `order ${order.id} ${order.status}`,
  };
}

/**
 * Locks the order and its lead (in that order, always) and checks scope: the order's dealer, and
 * for a consultant, the lead being theirs.
 */
async function lockOrderInScope(
  tx: Db,
  viewer: Viewer | null,
  orderId: string,
): Promise<Outcome<{ order: SalesOrderRow; lead: LeadRow | null }>> {
  const id = orderId.trim().toLowerCase();
  if (!isUuid(id)) return fail('orderId', 'INVALID_ID', 'is not a sales order id');
  const order = visibleOrder(viewer, await lockOrder(tx, id));
  if (!order) return fail('orderId', 'NOT_FOUND', `sales order ${id} was not found`);
  const lead = order.leadId ? await lockLead(tx, order.leadId) : null;
  if (viewer?.role === 'sales_consultant' && !(lead && isLeadVisible(viewer, lead)))
    throw forbidden('SalesOrder', id);
  return ok({ order, lead });
}

export interface SalesOrderAdvanceInput {
  orderId: string;
  status: OrderStatus;
}

/** One step along the order's states; a cancellation loses an ORDERED lead. */
export async function advanceOrder(
  db: Db,
  viewer: Viewer | null,
  input: SalesOrderAdvanceInput,
  now: Date,
): Promise<Outcome<SalesOrderRow>> {
  assertWriter(viewer);
  if (input.status === 'DELIVERED')
    return fail('status', 'VIN_REQUIRED', 'delivery records the VIN: use salesOrderDeliver');
  return db.transaction(async (tx) => {
    const locked = await lockOrderInScope(tx, viewer, input.orderId);
    if (!locked.value) return locked;
    const { order, lead } = locked.value;
    if (!canMove(orderTransitions, order.status, input.status))
      return fail(
        'status',
        'ILLEGAL_TRANSITION',
        `an order cannot move from ${order.status} to ${input.status}`,
      );
    const updated = await updateOrder(tx, order.id, { status: input.status, updatedAt: now });
    if (lead) {
      const lose = input.status === 'CANCELLED' && lead.status === 'ORDERED';
      await applyLeadMove(
        tx,
        lead,
        {
          to: lose ? 'LOST' : null,
          lostReason: lose ? 'ORDER_CANCELLED' : null,
          consultantId: lead.consultantId,
          events: [orderEvent(lead, 'ORDER_ADVANCED', updated, now)],
        },
        now,
      );
    }
    return ok(updated);
  });
}

export interface SalesOrderDeliverInput {
  orderId: string;
  vin: string;
}

/**
 * Delivers an INVOICED order: records the VIN, wins the lead, and publishes
 * 'sales.order_delivered' in the same transaction (feedback invites a survey, customer records the
 * purchase, service learns the vehicle's dealer).
 */
export async function deliverOrder(
  db: Db,
  viewer: Viewer | null,
  input: SalesOrderDeliverInput,
  now: Date,
): Promise<Outcome<SalesOrderRow>> {
  assertWriter(viewer);
  const checked = validateVin(input.vin);
  if (!checked.ok) return fail('vin', checked.code, checked.message);
  return db.transaction(async (tx) => {
    const locked = await lockOrderInScope(tx, viewer, input.orderId);
    if (!locked.value) return locked;
    const { order, lead } = locked.value;
    if (!canMove(orderTransitions, order.status, 'DELIVERED'))
      return fail('orderId', 'ILLEGAL_TRANSITION', `an order cannot move from ${order.status} to DELIVERED`);
    if (await findDeliveredOrderOfVin(tx, checked.vin, order.id))
      return fail('vin', 'VIN_ALREADY_DELIVERED', `vehicle ${checked.vin} was delivered under another order`);
    const updated = await updateOrder(tx, order.id, {
      status: 'DELIVERED',
      vin: checked.vin,
      deliveredAt: now,
      updatedAt: now,
    });
    if (lead)
      await applyLeadMove(
        tx,
        lead,
        {
          to: canMove(leadTransitions, lead.status, 'WON') ? 'WON' : null,
          consultantId: lead.consultantId,
          events: [orderEvent(lead, 'ORDER_DELIVERED', updated, now)],
        },
        now,
      );
    await publishSalesEvent(tx, 'sales.order_delivered', updated.id, {
      orderId: updated.id,
      customerId: updated.customerId,
      dealerCode: updated.dealerCode,
      vin: updated.vin,
      modelCode: updated.modelCode,
      at: now.toISOString(),
    });
    return ok(updated);
  });
}
