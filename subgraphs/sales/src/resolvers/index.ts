import { DateTime, type ResolverMap } from '@cx/platform';
import type { Context } from '../context.ts';
import { Consultant } from './Consultant.ts';
import { Customer } from './Customer.ts';
import { Dealer } from './Dealer.ts';
import { Lead } from './Lead.ts';
import { LeadAssignmentEvent } from './LeadAssignmentEvent.ts';
import { LeadHandoff } from './LeadHandoff.ts';
import { Mutation } from './Mutation.ts';
import { Query } from './Query.ts';
import { SalesOrder } from './SalesOrder.ts';
import { Subscription } from './Subscription.ts';
import { Vehicle } from './Vehicle.ts';

export const resolvers: ResolverMap<Context> = {
  DateTime,
  Query,
  Mutation,
  Subscription,
  Dealer,
  Consultant,
  Lead: { ...Lead, ...LeadHandoff },
  LeadAssignmentEvent,
  SalesOrder,
  Customer,
  Vehicle,
};
