import { connectionLoader, type Db, dealerCondition, rowLoader, type Viewer } from '@cx/platform';
import DataLoader from 'dataloader';
import { aliases } from './aliases/index.ts';
import {
  type InvitationRow,
  invitations,
  type SuppressionRow,
  type SurveyKind,
  type SurveyResponseRow,
  suppressions,
  surveyResponses,
} from './db/schema.ts';
import { findInvitationsByIds } from './repositories/invitations.ts';
import { findResponsesByIds, findResponsesByInvitationIds } from './repositories/responses.ts';
import { rawCounts, rollupCounts } from './repositories/scores.ts';
import { findSurveysByIds } from './repositories/surveys.ts';
import { type FeedbackScore, feedbackScore, noCounts, type ScoreCounts } from './scores/formulas.ts';
import type { PeriodRange } from './scores/periods.ts';

/**
 * A DataLoader per distinct argument set: every parent asking with the same arguments shares one
 * grouped statement (e.g. `dealers { feedback(kind: NPS, period: QUARTER) }` for 200 dealers).
 */
function loaderPerArgs<A, V>(
  keyOf: (args: A) => string,
  batch: (args: A, keys: readonly string[]) => Promise<Map<string, V>>,
  fallback: (args: A) => V,
): (key: string, args: A) => Promise<V> {
  const loaders = new Map<string, DataLoader<string, V>>();
  return (key, args) => {
    const argsKey = keyOf(args);
    let loader = loaders.get(argsKey);
    if (!loader) {
      loader = new DataLoader<string, V>(async (keys) => {
        const byKey = await batch(args, keys);
        return keys.map((k) => byKey.get(k) ?? fallback(args));
      });
      loaders.set(argsKey, loader);
    }
    return loader.load(key);
  };
}

export interface DealerFeedbackArgs {
  kind: SurveyKind;
  current: PeriodRange;
  previous: PeriodRange;
}

/** Created per request, so batching and caching never leak between callers. */
export function createLoaders(db: Db, viewer: Viewer | null = null) {
  return {
    response: rowLoader(
      (ids: readonly string[]) => findResponsesByIds(db, ids),
      (r) => r.id,
    ),
    responseOfInvitation: rowLoader(
      (ids: readonly string[]) => findResponsesByInvitationIds(db, ids),
      (r) => r.invitationId!,
    ),
    invitation: rowLoader(
      (ids: readonly string[]) => findInvitationsByIds(db, ids),
      (r) => r.id,
    ),
    survey: rowLoader(
      (ids: readonly string[]) => findSurveysByIds(db, ids),
      (r) => r.id,
    ),
    responsesOfCustomer: connectionLoader<SurveyResponseRow>(
      db,
      {
        table: surveyResponses,
        parent: surveyResponses.customerId,
        expand: aliases.expansion(surveyResponses.customerId),
        // Dealer roles see only their own dealer's survey results.
        where: dealerCondition(viewer, surveyResponses.dealerCode),
        order: surveyResponses.respondedAt,
        id: surveyResponses.id,
      },
      (r) => ({ at: r.respondedAt, id: r.id }),
    ),
    invitationsOfCustomer: connectionLoader<InvitationRow>(
      db,
      {
        table: invitations,
        parent: invitations.customerId,
        expand: aliases.expansion(invitations.customerId),
        order: invitations.invitedAt,
        id: invitations.id,
      },
      (r) => ({ at: r.invitedAt, id: r.id }),
    ),
    suppressionsOfCustomer: connectionLoader<SuppressionRow>(
      db,
      {
        table: suppressions,
        parent: suppressions.customerId,
        expand: aliases.expansion(suppressions.customerId),
        order: suppressions.suppressedAt,
        id: suppressions.id,
      },
      (r) => ({ at: r.suppressedAt, id: r.id }),
    ),
    /** NPS counts per dealer over [from, to), straight from the responses (any range). */
    dealerNpsCounts: loaderPerArgs<{ from?: Date; to?: Date }, ScoreCounts>(
      (range) => `${range.from?.toISOString() ?? ''}|${range.to?.toISOString() ?? ''}`,
      async (range, codes) => {
        const rows = await rawCounts(db, { kind: 'NPS', dimension: 'DEALER', keys: codes, ...range });
        return new Map(rows.map((r) => [r.key, r.current]));
      },
      () => noCounts,
    ),
    /** A dealer's score for a calendar period with its trend, from the rollup. */
    dealerFeedback: loaderPerArgs<DealerFeedbackArgs, FeedbackScore>(
      // Keyed by the period, not the instant: every `at` inside one quarter shares a statement.
      (a) => `${a.kind}|${a.current.unit}|${a.current.startDate}`,
      async (a, codes) => {
        const rows = await rollupCounts(db, { ...a, dimension: 'DEALER', keys: codes });
        return new Map(rows.map((r) => [r.key, feedbackScore(a.kind, r.current, r.previous)]));
      },
      (a) => feedbackScore(a.kind, noCounts, noCounts),
    ),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
