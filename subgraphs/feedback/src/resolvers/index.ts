import { DateTime, type ResolverMap } from '@cx/platform';
import type { Context } from '../context.ts';
import { Customer } from './Customer.ts';
import { Dealer } from './Dealer.ts';
import { SurveyResponse } from './SurveyResponse.ts';

export const resolvers: ResolverMap<Context> = { DateTime, SurveyResponse, Customer, Dealer };
