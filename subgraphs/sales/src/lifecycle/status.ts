import { type LeadRow, leadStatusEnum } from '../db/schema.ts';

export type LeadStatus = LeadRow['status'];
export type OrderStatus = 'CREATED' | 'DEPOSIT_PAID' | 'ALLOCATED' | 'INVOICED' | 'DELIVERED' | 'CANCELLED';

/**
 * Legal lead moves. Forward along the funnel (skipping is allowed: a walk-in is VISITED at once),
 * LOST from any open status with a reason; ORDERED and WON are reached through sales orders.
 */
export const leadTransitions: Readonly<Record<LeadStatus, readonly LeadStatus[]>> = {
  NEW: ['ASSIGNED', 'LOST'],
  ASSIGNED: ['CONTACTED', 'VISITED', 'TEST_DRIVEN', 'LOST'],
  CONTACTED: ['VISITED', 'TEST_DRIVEN', 'ORDERED', 'LOST'],
  VISITED: ['TEST_DRIVEN', 'ORDERED', 'LOST'],
  TEST_DRIVEN: ['ORDERED', 'LOST'],
  ORDERED: ['WON', 'LOST'],
  WON: [],
  LOST: [],
};

export const orderTransitions: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  CREATED: ['DEPOSIT_PAID', 'CANCELLED'],
  DEPOSIT_PAID: ['ALLOCATED', 'CANCELLED'],
  ALLOCATED: ['INVOICED', 'CANCELLED'],
  INVOICED: ['DELIVERED', 'CANCELLED'],
  DELIVERED: [],
  CANCELLED: [],
};

export function canMove<S extends string>(transitions: Readonly<Record<S, readonly S[]>>, from: S, to: S) {
  return transitions[from].includes(to);
}

/** Funnel order of the happy path; analytics use the same ranks in SQL. */
export const funnelStages = leadStatusEnum.enumValues.filter(
  (s): s is Exclude<LeadStatus, 'LOST'> => s !== 'LOST',
);

export const isClosed = (status: LeadStatus) => status === 'WON' || status === 'LOST';
