import type { Context } from '../context.ts';
import type { SurveyKind } from '../db/schema.ts';
import { periodsAround } from '../scores/feedbackScores.ts';
import { npsScore } from '../scores/nps.ts';
import type { PeriodUnit } from '../scores/periods.ts';

export const Dealer = {
  __resolveReference(ref: { code: string }) {
    return { code: ref.code };
  },
  async nps(d: { code: string }, args: { from?: Date | null; to?: Date | null }, ctx: Context) {
    const range = { from: args.from ?? undefined, to: args.to ?? undefined };
    return npsScore(await ctx.loaders.dealerNpsCounts(d.code, range));
  },
  async feedback(
    d: { code: string },
    args: { kind: SurveyKind; period: PeriodUnit; at?: Date | null },
    ctx: Context,
  ) {
    const periods = periodsAround(args.period, args.at ?? ctx.now());
    return ctx.loaders.dealerFeedback(d.code, { kind: args.kind, ...periods });
  },
};
