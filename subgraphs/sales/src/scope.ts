import { dealerCondition, forbidden, isVisibleToDealer, type Viewer } from '@cx/platform';
import { and, eq, type SQL } from 'drizzle-orm';
import { type LeadRow, leads, type SalesOrderRow, salesOrders } from './db/schema.ts';

/** Dealer roles see their dealer's leads; a sales consultant only the leads assigned to them. */
export function leadCondition(viewer: Viewer | null): SQL | undefined {
  const consultant =
    viewer?.role === 'sales_consultant'
      ? eq(leads.consultantId, viewer.consultant ?? '00000000-0000-0000-0000-000000000000')
      : undefined;
  return and(dealerCondition(viewer, leads.dealerCode), consultant);
}

export function orderCondition(viewer: Viewer | null): SQL | undefined {
  return dealerCondition(viewer, salesOrders.dealerCode);
}

export function isLeadVisible(viewer: Viewer | null, lead: LeadRow): boolean {
  if (!isVisibleToDealer(viewer, lead.dealerCode)) return false;
  return viewer?.role !== 'sales_consultant' || lead.consultantId === viewer.consultant;
}

/** A direct lookup out of scope is FORBIDDEN on its path, never data. */
export function visibleLead(viewer: Viewer | null, lead: LeadRow | null): LeadRow | null {
  if (lead && !isLeadVisible(viewer, lead)) throw forbidden('Lead', lead.id);
  return lead;
}

export function visibleOrder(viewer: Viewer | null, order: SalesOrderRow | null): SalesOrderRow | null {
  if (order && !isVisibleToDealer(viewer, order.dealerCode)) throw forbidden('SalesOrder', order.id);
  return order;
}
