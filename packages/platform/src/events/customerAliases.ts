import { getTableName, inArray, sql } from 'drizzle-orm';
import { index, type PgColumn, type PgSchema, timestamp, uuid } from 'drizzle-orm/pg-core';
import type { Db } from '../db.ts';
import type { ParentExpansion } from '../pagination.ts';
import type { EventConsumer } from '../subgraph.ts';
import { payloadOf } from './topics.ts';

/**
 * The alias map every subgraph other than customer keeps from 'customer.merged' and
 * 'customer.unmerged', so that a survivor's references include the rows recorded under the ids
 * merged into it (DECISIONS.md). `viaId` is the survivor the merge event named; `survivorId` is
 * the root of the chain (A into B, B into C: A's survivorId is C), which is what readers join on.
 */
export function defineCustomerAliases(schema: PgSchema) {
  return schema.table(
    'customer_alias',
    {
      mergedId: uuid('merged_id').primaryKey(),
      survivorId: uuid('survivor_id').notNull(),
      viaId: uuid('via_id').notNull(),
      mergeId: uuid('merge_id').notNull(),
      updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    },
    (t) => [index('customer_alias_survivor_idx').on(t.survivorId, t.mergedId)],
  );
}

export type CustomerAliasTable = ReturnType<typeof defineCustomerAliases>;

/** Chains deeper than this are treated as broken (a cycle) rather than walked forever. */
const MAX_CHAIN = 64;

/**
 * Recomputes the root of every alias that pointed at, or is, one of `ids`, by walking the `viaId`
 * edges: after a merge the new edge's subtree follows it, after an unmerge the restored
 * customer's subtree points at it again.
 */
async function recomputeRoots(db: Db, table: CustomerAliasTable, ids: readonly string[]): Promise<void> {
  const list = sql.join(
    ids.map((id) => sql`${id}::uuid`),
    sql`, `,
  );
  await db.execute(sql`with recursive
    walk(merged_id, cur, depth) as (
      select merged_id, via_id, 1 from ${table} where survivor_id in (${list}) or merged_id in (${list})
      union all
      select w.merged_id, a.via_id, w.depth + 1 from walk w join ${table} a on a.merged_id = w.cur
      where w.depth < ${MAX_CHAIN}
    ),
    roots as (select distinct on (merged_id) merged_id, cur from walk order by merged_id, depth desc)
    update ${table} set survivor_id = roots.cur, updated_at = now()
    from roots where ${table}.merged_id = roots.merged_id and ${table}.survivor_id <> roots.cur`);
}

/** Applies one merge or unmerge event to the alias map; runs inside the consumer's inbox transaction. */
export async function applyCustomerAliasEvent(
  db: Db,
  table: CustomerAliasTable,
  event: { topic: string; payload: Record<string, unknown> },
): Promise<void> {
  const merged = payloadOf('customer.merged', event);
  if (merged) {
    await db
      .insert(table)
      .values({
        mergedId: merged.mergedId,
        survivorId: merged.survivorId,
        viaId: merged.survivorId,
        mergeId: merged.mergeId,
      })
      .onConflictDoUpdate({
        target: table.mergedId,
        set: {
          survivorId: merged.survivorId,
          viaId: merged.survivorId,
          mergeId: merged.mergeId,
          updatedAt: sql`now()`,
        },
      });
    await recomputeRoots(db, table, [merged.mergedId, merged.survivorId]);
    return;
  }
  const unmerged = payloadOf('customer.unmerged', event);
  if (unmerged) {
    await db
      .delete(table)
      .where(sql`${table.mergedId} = ${unmerged.restoredId} and ${table.mergeId} = ${unmerged.mergeId}`);
    await recomputeRoots(db, table, [unmerged.restoredId, unmerged.survivorId]);
  }
}

/** The consumer each subgraph registers (SubgraphModule.events.consumers); the inbox runs it once per event. */
export function customerAliasConsumer(table: CustomerAliasTable): EventConsumer {
  return {
    name: 'customer-aliases',
    topics: ['customer.merged', 'customer.unmerged'],
    handle: (event, { db }) => applyCustomerAliasEvent(db, table, event),
  };
}

/**
 * Lets a list keyed by a customer id column answer for survivors: rows recorded under a merged id
 * count as the survivor's. Both parts are plain SQL over the alias table's primary key and
 * survivor index, so a batched list stays one statement. A parent that is itself a merged id
 * gets nothing: the customer subgraph resolves merged ids to their survivor before any other
 * subgraph is asked.
 */
export function customerAliasExpansion(table: CustomerAliasTable, column: PgColumn): ParentExpansion {
  return {
    key: sql<string>`coalesce((select ca.survivor_id from ${table} ca where ca.merged_id = ${column}), ${column})`,
    // One array, computed once (an InitPlan), so the lookup stays an index scan on the column;
    // `col in (...) or col in (subquery)` would make Postgres scan the whole table.
    matching: (parents) => {
      const list = sql.join(
        parents.map((p) => sql`${p}::uuid`),
        sql`, `,
      );
      return sql`${column} = any(array[${list}]::uuid[] || array(select ca.merged_id from ${table} ca where ca.survivor_id in (${list})))`;
    },
    // A requested id that was itself merged away reads nothing, as with `key` above.
    storedKeys: (parents) =>
      sql`(select p.key, p.key from unnest(${parents}) as p(key) where not exists (select 1 from ${table} ca where ca.merged_id = p.key) union all select ca.merged_id, ca.survivor_id from ${table} ca where ca.survivor_id = any(${parents})) as k(key, parent)`,
    placeholder: {
      shape: `alias:${getTableName(table)}:${getTableName(column.table)}.${column.name}`,
      matching: (name) => {
        const parents = sql`${sql.placeholder(name)}::uuid[]`;
        return sql`${column} = any(${parents} || array(select ca.merged_id from ${table} ca where ca.survivor_id = any(${parents})))`;
      },
    },
  };
}

/**
 * A customer id, the ids the caller already knows were merged into it (the customer subgraph's
 * word), and every id the local alias map merged into any of them (exports and erasure).
 */
export async function customerIdsWithAliases(
  db: Db,
  table: CustomerAliasTable,
  customerId: string,
  mergedIds: readonly string[] = [],
): Promise<string[]> {
  const named = [customerId, ...mergedIds];
  const rows = await db.select({ id: table.mergedId }).from(table).where(inArray(table.survivorId, named));
  return [...new Set([...named, ...rows.map((r) => r.id)])];
}

/** A subgraph's alias map in one handle: its consumer and the expansion of any customer id column. */
export function customerAliasesOf(table: CustomerAliasTable) {
  // Loaders ask per request; the expansion of a column never changes, so its SQL is built once.
  const expansions = new WeakMap<PgColumn, ParentExpansion>();
  return {
    table,
    consumer: customerAliasConsumer(table),
    expansion: (column: PgColumn) => {
      let expansion = expansions.get(column);
      if (!expansion) {
        expansion = customerAliasExpansion(table, column);
        expansions.set(column, expansion);
      }
      return expansion;
    },
  };
}
