import { type Context, rulesOf } from '../context.ts';
import { respondToSurvey, type SurveyRespondInput } from '../responses/respond.ts';

export const Mutation = {
  async surveyRespond(_: unknown, args: { input: SurveyRespondInput }, ctx: Context) {
    const result = await respondToSurvey(ctx.db, args.input, rulesOf(ctx));
    // After commit: hand the response (and a detractor's complaint trigger) to the bus now.
    if (result.published) ctx.kickRelay();
    if (result.response) ctx.loaders.response.prime(result.response.id, result.response);
    ctx.logger.info(
      {
        responseId: result.response?.id,
        kind: result.response?.kind,
        rejected: result.userErrors.map((e) => e.code),
      },
      'survey response',
    );
    return { response: result.response, userErrors: result.userErrors };
  },
};
