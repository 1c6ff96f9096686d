import { connectionLoader, type Db, rowLoader } from '@cx/platform';
import DataLoader from 'dataloader';
import { type SurveyResponseRow, surveyResponses } from './db/schema.ts';
import { countNpsByDealers, findResponsesByIds, type NpsCounts } from './repositories/responses.ts';

/** Created per request, so batching and caching never leak between callers. */
export function createLoaders(db: Db) {
  const npsByRange = new Map<string, DataLoader<string, NpsCounts>>();
  return {
    response: rowLoader(
      (ids: readonly string[]) => findResponsesByIds(db, ids),
      (r) => r.id,
    ),
    responsesOfCustomer: connectionLoader<SurveyResponseRow>(
      db,
      {
        table: surveyResponses,
        parent: surveyResponses.customerId,
        order: surveyResponses.respondedAt,
        id: surveyResponses.id,
      },
      (r) => ({ at: r.respondedAt, id: r.id }),
    ),
    /** One grouped statement per distinct period, however many dealers ask. */
    npsCounts(dealerCode: string, range: { from?: Date; to?: Date }): Promise<NpsCounts> {
      const key = `${range.from?.toISOString() ?? ''}|${range.to?.toISOString() ?? ''}`;
      let loader = npsByRange.get(key);
      if (!loader) {
        loader = new DataLoader<string, NpsCounts>(async (codes) => {
          const rows = new Map((await countNpsByDealers(db, codes, range)).map((r) => [r.dealerCode, r]));
          return codes.map(
            (code) => rows.get(code) ?? { dealerCode: code, promoters: 0, passives: 0, detractors: 0 },
          );
        });
        npsByRange.set(key, loader);
      }
      return loader.load(dealerCode);
    },
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
