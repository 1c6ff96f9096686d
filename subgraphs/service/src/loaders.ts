import { connectionLoader, type Db, groupLoader, rowLoader } from '@cx/platform';
import { type ComplaintRow, complaints, type RepairOrderRow, repairOrders } from './db/schema.ts';
import { findComplaintsByIds } from './repositories/complaints.ts';
import { findLinesByRepairOrderIds, findRepairOrdersByIds } from './repositories/repairOrders.ts';

/** Created per request, so batching and caching never leak between callers. */
export function createLoaders(db: Db) {
  return {
    repairOrder: rowLoader(
      (ids: readonly string[]) => findRepairOrdersByIds(db, ids),
      (r) => r.id,
    ),
    lines: groupLoader(
      (ids: readonly string[]) => findLinesByRepairOrderIds(db, ids),
      (l) => l.repairOrderId,
    ),
    complaint: rowLoader(
      (ids: readonly string[]) => findComplaintsByIds(db, ids),
      (c) => c.id,
    ),
    serviceHistory: connectionLoader<RepairOrderRow>(
      db,
      { table: repairOrders, parent: repairOrders.vin, order: repairOrders.openedAt, id: repairOrders.id },
      (r) => ({ at: r.openedAt, id: r.id }),
    ),
    complaintsOfCustomer: connectionLoader<ComplaintRow>(
      db,
      { table: complaints, parent: complaints.customerId, order: complaints.openedAt, id: complaints.id },
      (c) => ({ at: c.openedAt, id: c.id }),
    ),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
