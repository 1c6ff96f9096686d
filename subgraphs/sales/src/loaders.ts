import { connectionLoader, type Db, groupLoader, rowLoader, type Viewer } from '@cx/platform';
import { aliases } from './aliases/index.ts';
import { type LeadRow, leads, type SalesOrderRow, salesOrders } from './db/schema.ts';
import { createLifecycleLoaders } from './lifecycle/loaders.ts';
import {
  findConsultantsByDealers,
  findConsultantsByIds,
  findDealersByCodes,
} from './repositories/dealers.ts';
import { findLeadsByIds, findOrdersByIds, findOrdersByVins } from './repositories/leads.ts';
import { leadCondition, orderCondition } from './scope.ts';

/** Created per request, so batching and caching never leak between callers. */
export function createLoaders(db: Db, viewer: Viewer | null = null) {
  return {
    ...createLifecycleLoaders(db, viewer),
    dealer: rowLoader(
      (codes: readonly string[]) => findDealersByCodes(db, codes),
      (d) => d.code,
    ),
    consultant: rowLoader(
      (ids: readonly string[]) => findConsultantsByIds(db, ids),
      (c) => c.id,
    ),
    consultantsOfDealer: groupLoader(
      (codes: readonly string[]) => findConsultantsByDealers(db, codes),
      (c) => c.dealerCode,
    ),
    lead: rowLoader(
      (ids: readonly string[]) => findLeadsByIds(db, ids),
      (l) => l.id,
    ),
    order: rowLoader(
      (ids: readonly string[]) => findOrdersByIds(db, ids),
      (o) => o.id,
    ),
    orderOfVin: rowLoader(
      (vins: readonly string[]) => findOrdersByVins(db, vins),
      (o) => o.vin ?? '',
    ),
    leadsOfCustomer: connectionLoader<LeadRow>(
      db,
      {
        table: leads,
        parent: leads.customerId,
        expand: aliases.expansion(leads.customerId),
        order: leads.createdAt,
        id: leads.id,
        where: leadCondition(viewer),
      },
      (l) => ({ at: l.createdAt, id: l.id }),
    ),
    ordersOfCustomer: connectionLoader<SalesOrderRow>(
      db,
      {
        table: salesOrders,
        parent: salesOrders.customerId,
        expand: aliases.expansion(salesOrders.customerId),
        order: salesOrders.createdAt,
        id: salesOrders.id,
        where: orderCondition(viewer),
      },
      (o) => ({ at: o.createdAt, id: o.id }),
    ),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
