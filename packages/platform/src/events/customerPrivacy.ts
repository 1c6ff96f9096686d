import { inArray } from 'drizzle-orm';
import {
  jsonb,
  type PgColumn,
  type PgSchema,
  type PgTable,
  type PgUpdateSetSource,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';
import { GraphQLError } from 'graphql';
import { isHq, type Viewer } from '../auth.ts';
import type { Db } from '../db.ts';
import { holdsPiiScope } from '../scope.ts';
import type { EventConsumer } from '../subgraph.ts';
import { type CustomerAliasTable, customerIdsWithAliases } from './customerAliases.ts';
import { type OutboxTables, publishEvents } from './outbox.ts';
import { event, payloadOf } from './topics.ts';

/** What erased free text and required personal fields read afterwards. */
export const ERASED_TEXT = '[erased]';

/**
 * A subgraph's own record that it erased a customer (PIPL audit): which ids, when, and how many
 * rows each table had touched. One row per erasure, so a redelivered event changes nothing.
 */
export function defineErasureReceipts(schema: PgSchema) {
  return schema.table('erasure_receipts', {
    erasureId: uuid('erasure_id').primaryKey(),
    customerId: uuid('customer_id').notNull(),
    customerIds: uuid('customer_ids').array().notNull(),
    /** Rows anonymized or deleted per table, e.g. { complaints: 2, roadside_cases: 1 }. */
    rows: jsonb('rows').$type<Record<string, number>>().notNull(),
    erasedAt: timestamp('erased_at', { withTimezone: true }).notNull(),
  });
}

export type ErasureReceiptTable = ReturnType<typeof defineErasureReceipts>;

/** Erases what one subgraph holds about these customer ids; returns rows touched per table. */
export type EraseCustomerData = (
  tx: Db,
  customerIds: readonly string[],
  at: Date,
) => Promise<Record<string, number>>;

/**
 * The 'customer.erased' consumer of a subgraph: it erases under the customer's id, the merged ids
 * the event names and those in the local alias map, writes its receipt and answers with
 * 'customer.erasure_completed' through its own outbox, all in the inbox transaction.
 */
export function customerErasureConsumer(options: {
  subgraph: string;
  outbox: OutboxTables;
  receipts: ErasureReceiptTable;
  aliases: CustomerAliasTable;
  erase: EraseCustomerData;
}): EventConsumer {
  const { subgraph, outbox, receipts, aliases, erase } = options;
  return {
    name: 'customer-erasure',
    topics: ['customer.erased'],
    async handle(received, { db, logger }) {
      const erased = payloadOf('customer.erased', received);
      if (!erased) return;
      const [done] = await db
        .select({ erasureId: receipts.erasureId })
        .from(receipts)
        .where(inArray(receipts.erasureId, [erased.erasureId]));
      if (done) return;
      const customerIds = await customerIdsWithAliases(db, aliases, erased.customerId, erased.mergedIds);
      const at = new Date();
      const rows = await erase(db, customerIds, at);
      await db.insert(receipts).values({
        erasureId: erased.erasureId,
        customerId: erased.customerId,
        customerIds,
        rows,
        erasedAt: at,
      });
      await publishEvents(db, outbox, [
        event('customer.erasure_completed', erased.customerId, {
          erasureId: erased.erasureId,
          customerId: erased.customerId,
          subgraph,
          at: at.toISOString(),
        }),
      ]);
      logger.info({ erasureId: erased.erasureId, subgraph, rows }, 'customer data erased');
    },
  };
}

/**
 * PIPL data subject rights: an export needs an HQ role holding the PII scope (hq_admin holds it by
 * role), an erasure hq_admin itself. Each subgraph checks again for its own section, so no path
 * around the customer subgraph's check yields data. A null viewer is an in-process caller.
 */
export function requireDataSubjectRight(viewer: Viewer | null, right: 'export' | 'erase'): void {
  if (!viewer) return;
  const allowed = right === 'erase' ? viewer.role === 'hq_admin' : isHq(viewer) && holdsPiiScope(viewer);
  if (!allowed)
    throw new GraphQLError(
      right === 'erase'
        ? 'customerErase needs the hq_admin role'
        : 'customerExport needs an HQ role with pii:read',
      {
        extensions: { code: 'FORBIDDEN', operation: right === 'erase' ? 'customerErase' : 'customerExport' },
      },
    );
}

/**
 * One subgraph's section of a customer's data export: a stable envelope (schemaVersion, subgraph,
 * the customer ids it covers, generatedAt) around that subgraph's tables, each a list of rows with
 * the columns as the GraphQL API names them (camelCase), instants as ISO strings.
 */
export function exportSection(
  subgraph: string,
  customerIds: readonly string[],
  tables: Record<string, readonly object[]>,
  at: Date = new Date(),
): Record<string, unknown> {
  return JSON.parse(
    JSON.stringify({ schemaVersion: 1, subgraph, customerIds, generatedAt: at, tables }),
  ) as Record<string, unknown>;
}

/** The reference the gateway sends for a CustomerDataExport section (mergedCustomerIds via @requires). */
export interface CustomerDataExportRef {
  customerId: string;
  mergedCustomerIds?: string[];
}

/**
 * The CustomerDataExport resolvers of a contributing subgraph: its one section field, built from
 * `collect` over the customer's ids (the customer subgraph's merged ids plus local aliases).
 */
export function customerDataExportResolvers(options: {
  subgraph: string;
  field: string;
  aliases: CustomerAliasTable;
  collect: (db: Db, customerIds: string[]) => Promise<Record<string, readonly object[]>>;
}) {
  const { subgraph, field, aliases, collect } = options;
  return {
    __resolveReference: (ref: CustomerDataExportRef) => ref,
    [field]: async (ref: CustomerDataExportRef, _: unknown, ctx: { db: Db; viewer: Viewer | null }) => {
      requireDataSubjectRight(ctx.viewer, 'export');
      const ids = await customerIdsWithAliases(ctx.db, aliases, ref.customerId, ref.mergedCustomerIds);
      return exportSection(subgraph, ids, await collect(ctx.db, ids));
    },
  };
}

/**
 * Everything a contributing subgraph wires for PIPL: its CustomerDataExport resolvers (one section
 * field built by `collect`) and its 'customer.erased' consumer (running `erase`).
 */
export function subgraphPrivacy(options: {
  subgraph: string;
  field: string;
  outbox: OutboxTables;
  receipts: ErasureReceiptTable;
  aliases: CustomerAliasTable;
  collect: (db: Db, customerIds: string[]) => Promise<Record<string, readonly object[]>>;
  erase: EraseCustomerData;
}) {
  return {
    CustomerDataExport: customerDataExportResolvers(options),
    erasureConsumer: customerErasureConsumer(options),
  };
}

/** Sets `values` on the rows whose `column` is one of `ids` (an erasure step); returns how many. */
export async function scrubRows<T extends PgTable>(
  db: Db,
  table: T,
  column: PgColumn,
  ids: readonly string[],
  values: PgUpdateSetSource<T>,
): Promise<number> {
  if (ids.length === 0) return 0;
  const rows = await db
    .update(table)
    .set(values)
    .where(inArray(column, [...ids]))
    .returning({ key: column });
  return rows.length;
}

/** Deletes the rows whose `column` is one of `ids` (an erasure step); returns how many. */
export async function deleteRows(
  db: Db,
  table: PgTable,
  column: PgColumn,
  ids: readonly string[],
): Promise<number> {
  if (ids.length === 0) return 0;
  const rows = await db
    .delete(table)
    .where(inArray(column, [...ids]))
    .returning({ key: column });
  return rows.length;
}
