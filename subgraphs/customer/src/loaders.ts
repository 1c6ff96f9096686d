import {
  type Db,
  dealerOf,
  groupLoader,
  type PageArgs,
  parsePageArgs,
  rowLoader,
  toConnection,
  type Viewer,
} from '@cx/platform';
import DataLoader from 'dataloader';
import {
  type ConsentHistoryRow,
  type CustomerRow,
  consentHistory,
  type MergeRecordRow,
  mergeRecords,
  type SegmentExpression,
} from './db/schema.ts';
import { findStepsByErasures } from './privacy/repositories.ts';
import { findCustomersByIds, findCustomersRelatedToDealer } from './repositories/customers.ts';
import { findMergesByIds } from './repositories/merges.ts';
import {
  findConsentsByCustomerIds,
  findIdentitiesByCustomerIds,
  findTagsByCustomerIds,
} from './repositories/profile.ts';
import {
  countAudiences,
  findSegmentExportsByIds,
  findSegmentsByIds,
  pageAudiences,
} from './repositories/segments.ts';
import { treeConnectionLoader } from './repositories/trees.ts';
import { memberCondition } from './segments/compile.ts';

/** Who a segment-like list counts: the live customers matching an expression at an instant. */
export interface Audience {
  /** Identifies the audience within a request, e.g. `segment:<id>` or `export:<id>`. */
  key: string;
  expression: SegmentExpression;
  at: Date;
}

const audienceKey = (a: Audience) => `${a.key}@${a.at.toISOString()}`;

/** Sizes and member pages of several segments or exports: one statement each, however many. */
function audienceLoaders(db: Db) {
  const condition = (a: Audience) => memberCondition(db, a.expression, a.at);
  const sizes = new DataLoader<Audience, number, string>(
    async (audiences) => countAudiences(db, audiences.map(condition)),
    { cacheKeyFn: audienceKey },
  );
  const pages = new Map<string, DataLoader<Audience, CustomerRow[], string>>();
  return {
    size: (a: Audience) => sizes.load(a),
    async members(a: Audience, args: PageArgs) {
      const page = parsePageArgs(args);
      const pageKey = `${page.first}|${args.after ?? ''}`;
      let loader = pages.get(pageKey);
      if (!loader) {
        loader = new DataLoader<Audience, CustomerRow[], string>(
          async (audiences) => pageAudiences(db, audiences.map(condition), page),
          { cacheKeyFn: audienceKey },
        );
        pages.set(pageKey, loader);
      }
      const rows = await loader.load(a);
      return toConnection(
        rows,
        page,
        (c) => ({ at: c.createdAt, id: c.id }),
        () => sizes.load(a),
      );
    },
  };
}

/** Created per request, so batching and caching never leak between callers. */
export function createLoaders(db: Db, viewer: Viewer | null = null) {
  const dealer = dealerOf(viewer);
  return {
    /** For dealer viewers: whether each customer is related to the viewer's dealer. */
    relatedToViewerDealer: new DataLoader<string, boolean>(async (ids) => {
      const related = new Set(dealer ? await findCustomersRelatedToDealer(db, dealer, ids) : ids);
      return ids.map((id) => related.has(id));
    }),
    customer: rowLoader(
      (ids: readonly string[]) => findCustomersByIds(db, ids),
      (c) => c.id,
    ),
    identities: groupLoader(
      (ids: readonly string[]) => findIdentitiesByCustomerIds(db, ids),
      (i) => i.customerId,
    ),
    tags: groupLoader(
      (ids: readonly string[]) => findTagsByCustomerIds(db, ids),
      (t) => t.customerId,
    ),
    consents: groupLoader(
      (ids: readonly string[]) => findConsentsByCustomerIds(db, ids),
      (c) => c.customerId,
    ),
    merge: rowLoader(
      (ids: readonly string[]) => findMergesByIds(db, ids),
      (m) => m.id,
    ),
    mergeHistory: treeConnectionLoader<MergeRecordRow>(
      db,
      {
        table: mergeRecords,
        memberColumns: [mergeRecords.survivorId, mergeRecords.mergedId],
        order: mergeRecords.createdAt,
        id: mergeRecords.id,
      },
      (m) => ({ at: m.createdAt, id: m.id }),
    ),
    consentHistory: treeConnectionLoader<ConsentHistoryRow>(
      db,
      {
        table: consentHistory,
        memberColumns: [consentHistory.customerId],
        order: consentHistory.createdAt,
        id: consentHistory.id,
      },
      (c) => ({ at: c.createdAt, id: c.id }),
    ),
    segment: rowLoader(
      (ids: readonly string[]) => findSegmentsByIds(db, ids),
      (s) => s.id,
    ),
    segmentExport: rowLoader(
      (ids: readonly string[]) => findSegmentExportsByIds(db, ids),
      (e) => e.id,
    ),
    audience: audienceLoaders(db),
    erasureSteps: groupLoader(
      (ids: readonly string[]) => findStepsByErasures(db, ids),
      (s) => s.erasureId,
    ),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
