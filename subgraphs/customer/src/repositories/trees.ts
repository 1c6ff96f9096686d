import {
  anyOf,
  type Connection,
  type CursorValue,
  type Db,
  type Page,
  type PageArgs,
  parsePageArgs,
  toConnection,
} from '@cx/platform';
import DataLoader from 'dataloader';
import { countDistinct, desc, eq, lte, or, sql } from 'drizzle-orm';
import { type PgColumn, type PgTable, unionAll } from 'drizzle-orm/pg-core';
import { customers } from '../db/schema.ts';
import { afterCursor } from './cursor.ts';

/**
 * A merged person is a tree: the surviving customer (the root) and every customer merged into it
 * (merge chains are kept flat, so each member points straight at its root).
 */
export interface Trees {
  roots: string[];
  /** Root -> the customers merged into it (not including the root). */
  membersOf: Map<string, string[]>;
  /** Every member or root -> its root. */
  rootOf: Map<string, string>;
  /** Roots and members together. */
  all: string[];
  /**
   * Roots created in the caller's transaction whose tree held nothing before it (no consents,
   * tags, events or facts, no members of their own): readers skip them instead of finding nothing.
   */
  fresh: ReadonlySet<string>;
}

const withoutFresh = (ids: readonly string[], fresh: ReadonlySet<string>): string[] =>
  fresh.size === 0 ? [...ids] : ids.filter((id) => !fresh.has(id));

/** The ids of `ids` that may hold stored rows: not fresh. */
export const storedOf = (trees: Trees, ids: readonly string[]): string[] => withoutFresh(ids, trees.fresh);

/**
 * The trees of these roots. `fresh` roots (created in the caller's transaction, see
 * Trees.fresh) are taken as they are, without a read: anything merged into them within the
 * transaction owns nothing either.
 */
export async function loadTrees(
  db: Db,
  roots: readonly string[],
  fresh: ReadonlySet<string> = new Set(),
): Promise<Trees> {
  const unique = [...new Set(roots)];
  const membersOf = new Map<string, string[]>(unique.map((r) => [r, []]));
  const rootOf = new Map<string, string>(unique.map((r) => [r, r]));
  const stored = withoutFresh(unique, fresh);
  if (stored.length > 0) {
    const rows = await db
      .select({ id: customers.id, root: customers.mergedInto })
      .from(customers)
      .where(anyOf(customers.mergedInto, stored));
    for (const r of rows) {
      membersOf.get(r.root!)?.push(r.id);
      rootOf.set(r.id, r.root!);
    }
  }
  return { roots: unique, membersOf, rootOf, all: [...rootOf.keys()], fresh };
}

/** Rows that belong to a customer's tree through any of `memberColumns`, newest first. */
export interface TreeListSpec {
  table: PgTable;
  memberColumns: PgColumn[];
  order: PgColumn;
  id: PgColumn;
}

/** (member, root) pairs for the requested roots: each root is its own member too. */
function membersQuery(db: Db, roots: string[]) {
  return unionAll(
    db
      .select({ member: customers.id, root: sql<string>`${customers.id}`.as('root') })
      .from(customers)
      .where(anyOf(customers.id, roots)),
    db
      .select({ member: customers.id, root: sql<string>`${customers.mergedInto}`.as('root') })
      .from(customers)
      .where(anyOf(customers.mergedInto, roots)),
  ).as('members');
}

async function pagesByRoot<TRow>(db: Db, spec: TreeListSpec, roots: string[], page: Page) {
  const grouped = new Map<string, TRow[]>(roots.map((r) => [r, []]));
  if (roots.length === 0 || page.first === 0) return grouped;
  const members = membersQuery(db, roots);
  // A row can reach a tree through two columns (survivor and merged): group so it counts once.
  const ranked = db
    .select({
      root: members.root,
      hitId: sql<string>`${spec.id}`.as('hit_id'),
      rn: sql<number>`row_number() over (partition by ${members.root} order by max(${spec.order}) desc, ${spec.id} desc)`.as(
        'rn',
      ),
    })
    .from(spec.table)
    .innerJoin(members, or(...spec.memberColumns.map((c) => eq(c, members.member))))
    .where(afterCursor(spec.order, spec.id, page.after))
    .groupBy(members.root, spec.id)
    .as('ranked');
  const rows = (await db
    .select({ root: ranked.root, row: spec.table })
    .from(spec.table)
    .innerJoin(ranked, eq(spec.id, ranked.hitId))
    .where(lte(ranked.rn, page.first + 1))
    .orderBy(desc(spec.order), desc(spec.id))) as unknown as { root: string; row: TRow }[];
  for (const { root, row } of rows) grouped.get(root)?.push(row);
  return grouped;
}

async function countsByRoot(db: Db, spec: TreeListSpec, roots: string[]) {
  const counts = new Map<string, number>(roots.map((r) => [r, 0]));
  if (roots.length === 0) return counts;
  const members = membersQuery(db, roots);
  const rows = await db
    .select({ root: members.root, n: countDistinct(spec.id) })
    .from(spec.table)
    .innerJoin(members, or(...spec.memberColumns.map((c) => eq(c, members.member))))
    .groupBy(members.root);
  for (const r of rows) counts.set(r.root, Number(r.n));
  return counts;
}

/**
 * Like the platform's connectionLoader, for lists that belong to a whole merge tree (a survivor
 * shows the history of everyone merged into it): one statement per page shape, one for counts.
 */
export function treeConnectionLoader<TRow>(
  db: Db,
  spec: TreeListSpec,
  cursorOf: (row: TRow) => CursorValue,
): (root: string, args: PageArgs) => Promise<Connection<TRow>> {
  const counts = new DataLoader<string, number>(async (roots) => {
    const byRoot = await countsByRoot(db, spec, [...roots]);
    return roots.map((r) => byRoot.get(r) ?? 0);
  });
  const pages = new Map<string, DataLoader<string, TRow[]>>();
  return (root, args) => {
    const page = parsePageArgs(args);
    const key = `${page.first}|${args.after ?? ''}`;
    let loader = pages.get(key);
    if (!loader) {
      loader = new DataLoader<string, TRow[]>(async (roots) => {
        const byRoot = await pagesByRoot<TRow>(db, spec, [...roots], page);
        return roots.map((r) => byRoot.get(r) ?? []);
      });
      pages.set(key, loader);
    }
    return loader.load(root).then((rows) => toConnection(rows, page, cursorOf, () => counts.load(root)));
  };
}
