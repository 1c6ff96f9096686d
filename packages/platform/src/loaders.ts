import DataLoader from 'dataloader';
import type { Db } from './db.ts';
import {
  type Connection,
  type CursorValue,
  countByParent,
  type KeyedListSpec,
  type PageArgs,
  parsePageArgs,
  selectPagesByParent,
  toConnection,
} from './pagination.ts';

/** One row per key (or null), fetched in one statement per batch. */
export function rowLoader<K, R>(
  fetch: (keys: readonly K[]) => Promise<R[]>,
  keyOf: (row: R) => K,
): DataLoader<K, R | null> {
  return new DataLoader<K, R | null>(async (keys) => {
    const rows = await fetch(keys);
    const byKey = new Map(rows.map((r) => [keyOf(r), r]));
    return keys.map((k) => byKey.get(k) ?? null);
  });
}

/** Many rows per key, fetched in one statement per batch. */
export function groupLoader<K, R>(
  fetch: (keys: readonly K[]) => Promise<R[]>,
  keyOf: (row: R) => K,
): DataLoader<K, R[]> {
  return new DataLoader<K, R[]>(async (keys) => {
    const rows = await fetch(keys);
    const byKey = new Map<K, R[]>(keys.map((k) => [k, []]));
    for (const r of rows) byKey.get(keyOf(r))?.push(r);
    return keys.map((k) => byKey.get(k) ?? []);
  });
}

export type ConnectionLoader<TRow> = (parent: string, args: PageArgs) => Promise<Connection<TRow>>;

/**
 * A paginated list per parent: one statement for the pages of every parent that asks with the
 * same arguments, and one for all their totalCounts, however many parents a query touches.
 */
export function connectionLoader<TRow>(
  db: Db,
  spec: KeyedListSpec,
  cursorOf: (row: TRow) => CursorValue,
): ConnectionLoader<TRow> {
  const counts = new DataLoader<string, number>(async (parents) => {
    const byParent = await countByParent(db, spec, parents);
    return parents.map((p) => byParent.get(p) ?? 0);
  });
  const pages = new Map<string, DataLoader<string, TRow[]>>();
  return (parent, args) => {
    const page = parsePageArgs(args);
    const pageKey = `${page.first}|${args.after ?? ''}`;
    let loader = pages.get(pageKey);
    if (!loader) {
      loader = new DataLoader<string, TRow[]>(async (parents) => {
        const byParent = await selectPagesByParent<TRow>(db, spec, parents, page);
        return parents.map((p) => byParent.get(p) ?? []);
      });
      pages.set(pageKey, loader);
    }
    return loader.load(parent).then((rows) => toConnection(rows, page, cursorOf, () => counts.load(parent)));
  };
}
