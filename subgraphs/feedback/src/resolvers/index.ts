import { DateTime, JSONScalar, type ResolverMap } from '@cx/platform';
import type { Context } from '../context.ts';
import { CustomerDataExport } from '../privacy/index.ts';
import { Customer } from './Customer.ts';
import { Dealer } from './Dealer.ts';
import { FeedbackPeriodRange, FeedbackScoreGroup, FeedbackScores } from './FeedbackScores.ts';
import { Mutation } from './Mutation.ts';
import { Query } from './Query.ts';
import { Survey } from './Survey.ts';
import { SurveyInvitation } from './SurveyInvitation.ts';
import { SurveyResponse } from './SurveyResponse.ts';
import { SurveySuppression } from './SurveySuppression.ts';

export const resolvers: ResolverMap<Context> = {
  DateTime,
  JSON: JSONScalar,
  Query,
  Mutation,
  Survey,
  SurveyInvitation,
  SurveySuppression,
  SurveyResponse,
  FeedbackScores,
  FeedbackPeriodRange,
  FeedbackScoreGroup,
  Customer,
  CustomerDataExport,
  Dealer,
};
