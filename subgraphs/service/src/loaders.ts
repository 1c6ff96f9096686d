import {
  connectionLoader,
  type Db,
  dealerCondition,
  forbidden,
  groupLoader,
  isVisibleToDealer,
  type PageArgs,
  rowLoader,
  type Viewer,
} from '@cx/platform';
import DataLoader from 'dataloader';
import { and, eq, type SQL } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import { aliases } from './aliases/index.ts';
import {
  type AppointmentRow,
  appointments,
  type CareReminderRow,
  type ComplaintRow,
  careReminders,
  complaints,
  type RepairOrderRow,
  type RoadsideCaseRow,
  repairOrders,
  roadsideCases,
} from './db/schema.ts';
import { findAppointmentsByIds } from './repositories/appointments.ts';
import { findComplaintsByIds } from './repositories/complaints.ts';
import { findEventsByRepairOrderIds } from './repositories/repairOrderEvents.ts';
import { findLinesByRepairOrderIds, findRepairOrdersByIds } from './repositories/repairOrders.ts';
import { findRoadsideCasesByIds } from './repositories/roadsideCases.ts';
import {
  findWarrantyClaimsByIds,
  findWarrantyClaimsByRepairOrderIds,
} from './repositories/warrantyClaims.ts';

type CareReminderStatus = CareReminderRow['status'];

/**
 * A paginated list of a table under one of its parent columns, newest `order` first with the id
 * as tiebreak; `where` narrows it (a time window, a status, the SLA breach condition).
 */
function listOf<TRow extends { id: string }, P extends string>(
  table: PgTable,
  parents: Record<P, PgColumn>,
  order: PgColumn,
  id: PgColumn,
  orderOf: (row: TRow) => Date,
) {
  return (db: Db, parent: P, where?: SQL) =>
    connectionLoader<TRow>(
      db,
      {
        table,
        parent: parents[parent],
        order,
        id,
        where,
        // A survivor's lists include the rows recorded under the ids merged into it.
        expand: parent === 'customer' ? aliases.expansion(parents[parent]) : undefined,
      },
      (row) => ({ at: orderOf(row), id: row.id }),
    );
}

export const lists = {
  serviceHistory: listOf<RepairOrderRow, 'vehicle'>(
    repairOrders,
    { vehicle: repairOrders.vin },
    repairOrders.openedAt,
    repairOrders.id,
    (r) => r.openedAt,
  ),
  complaints: listOf<ComplaintRow, 'customer' | 'dealer'>(
    complaints,
    { customer: complaints.customerId, dealer: complaints.dealerCode },
    complaints.openedAt,
    complaints.id,
    (c) => c.openedAt,
  ),
  appointments: listOf<AppointmentRow, 'customer' | 'dealer'>(
    appointments,
    { customer: appointments.customerId, dealer: appointments.dealerCode },
    appointments.slotStart,
    appointments.id,
    (a) => a.slotStart,
  ),
  roadsideCases: listOf<RoadsideCaseRow, 'customer'>(
    roadsideCases,
    { customer: roadsideCases.customerId },
    roadsideCases.openedAt,
    roadsideCases.id,
    (c) => c.openedAt,
  ),
  careReminders: listOf<CareReminderRow, 'customer' | 'dealer'>(
    careReminders,
    { customer: careReminders.customerId, dealer: careReminders.dealerCode },
    careReminders.dueAt,
    careReminders.id,
    (r) => r.dueAt,
  ),
};

export function reminderStatusIs(status: CareReminderStatus | null): SQL | undefined {
  return status ? eq(careReminders.status, status) : undefined;
}

/** One loader per distinct argument value, so parents asking with the same arguments share a batch. */
function perArgument<K, V>(make: (key: K) => V): (key: K) => V {
  const made = new Map<K, V>();
  return (key) => {
    let value = made.get(key);
    if (value === undefined) {
      value = make(key);
      made.set(key, value);
    }
    return value;
  };
}

/** Created per request, so batching and caching never leak between callers. */
export function createLoaders(db: Db, viewer: Viewer | null = null) {
  const careRemindersOfCustomer = perArgument((status: CareReminderStatus | null) =>
    lists.careReminders(
      db,
      'customer',
      and(reminderStatusIs(status), dealerCondition(viewer, careReminders.dealerCode)),
    ),
  );
  /** Rows of another dealer come back as FORBIDDEN errors on their path (direct lookups, entity references). */
  const scoped = <R extends { id: string; dealerCode: string | null }>(
    entity: string,
    fetch: (ids: readonly string[]) => Promise<R[]>,
  ) =>
    new DataLoader<string, R | null>(async (ids) => {
      const byId = new Map((await fetch(ids)).map((r) => [r.id, r]));
      return ids.map((id) => {
        const row = byId.get(id) ?? null;
        return row && !isVisibleToDealer(viewer, row.dealerCode) ? forbidden(entity, id) : row;
      });
    });
  return {
    repairOrder: scoped('RepairOrder', (ids) => findRepairOrdersByIds(db, ids)),
    lines: groupLoader(
      (ids: readonly string[]) => findLinesByRepairOrderIds(db, ids),
      (l) => l.repairOrderId,
    ),
    timeline: groupLoader(
      (ids: readonly string[]) => findEventsByRepairOrderIds(db, ids),
      (e) => e.repairOrderId,
    ),
    warrantyClaimsOfOrder: groupLoader(
      (ids: readonly string[]) => findWarrantyClaimsByRepairOrderIds(db, ids),
      (w) => w.repairOrderId,
    ),
    complaint: scoped('Complaint', (ids) => findComplaintsByIds(db, ids)),
    appointment: rowLoader(
      (ids: readonly string[]) => findAppointmentsByIds(db, ids),
      (a) => a.id,
    ),
    warrantyClaim: rowLoader(
      (ids: readonly string[]) => findWarrantyClaimsByIds(db, ids),
      (w) => w.id,
    ),
    roadsideCase: rowLoader(
      (ids: readonly string[]) => findRoadsideCasesByIds(db, ids),
      (c) => c.id,
    ),
    // Dealer roles see only their own dealer's repair orders, complaints and appointments.
    serviceHistory: lists.serviceHistory(db, 'vehicle', dealerCondition(viewer, repairOrders.dealerCode)),
    complaintsOfCustomer: lists.complaints(db, 'customer', dealerCondition(viewer, complaints.dealerCode)),
    appointmentsOfCustomer: lists.appointments(
      db,
      'customer',
      dealerCondition(viewer, appointments.dealerCode),
    ),
    roadsideCasesOfCustomer: lists.roadsideCases(db, 'customer'),
    careRemindersOfCustomer: (customerId: string, status: CareReminderStatus | null, args: PageArgs) =>
      careRemindersOfCustomer(status)(customerId, args),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
