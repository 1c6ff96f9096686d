import { assertUuid, type PageArgs, parsePageArgs } from '@cx/platform';
import type { Context } from '../context.ts';
import type { ScoreDimension, SuppressionReason, SurveyKind, Touchpoint } from '../db/schema.ts';
import { pageSuppressions } from '../repositories/suppressions.ts';
import { listSurveys } from '../repositories/surveys.ts';
import { feedbackScores } from '../scores/feedbackScores.ts';
import type { PeriodUnit } from '../scores/periods.ts';

interface FeedbackScoresArgs {
  input: { kind: SurveyKind; groupBy: ScoreDimension; period: PeriodUnit; at?: Date | null };
}

export const Query = {
  async surveys(
    _: unknown,
    args: { touchpoint?: Touchpoint | null; kind?: SurveyKind | null; includeInactive?: boolean | null },
    ctx: Context,
  ) {
    const rows = await listSurveys(ctx.db, args);
    for (const row of rows) ctx.loaders.survey.prime(row.id, row);
    return rows;
  },
  async surveyInvitation(_: unknown, args: { id: string }, ctx: Context) {
    return ctx.loaders.invitation.load(assertUuid(args.id, 'id', 'survey invitation'));
  },
  async surveySuppressions(_: unknown, args: PageArgs & { reason?: SuppressionReason | null }, ctx: Context) {
    return pageSuppressions(ctx.db, args.reason ?? null, parsePageArgs(args));
  },
  async feedbackScores(_: unknown, args: FeedbackScoresArgs, ctx: Context) {
    return feedbackScores(ctx.db, { ...args.input, at: args.input.at ?? ctx.now() });
  },
};
