import { DateTime, JSONScalar, type ResolverMap } from '@cx/platform';
import type { Context } from '../context.ts';
import { CustomerDataExport } from '../privacy/index.ts';
import { Campaign } from './Campaign.ts';
import { ChannelRoi } from './ChannelRoi.ts';
import { Consultant } from './Consultant.ts';
import { Customer } from './Customer.ts';
import { Dealer } from './Dealer.ts';
import { FollowUp } from './FollowUp.ts';
import { Lead } from './Lead.ts';
import { LeadAssignmentEvent } from './LeadAssignmentEvent.ts';
import { LeadHandoff } from './LeadHandoff.ts';
import { LeadLifecycle } from './LeadLifecycle.ts';
import { LeadTimelineEntry } from './LeadTimelineEntry.ts';
import { LifecycleMutation } from './LifecycleMutation.ts';
import { LifecycleQuery } from './LifecycleQuery.ts';
import { Mutation } from './Mutation.ts';
import { Query } from './Query.ts';
import { SalesOrder } from './SalesOrder.ts';
import { Subscription } from './Subscription.ts';
import { TestDrive } from './TestDrive.ts';
import { Vehicle } from './Vehicle.ts';

export const resolvers: ResolverMap<Context> = {
  DateTime,
  JSON: JSONScalar,
  Query: { ...Query, ...LifecycleQuery },
  Mutation: { ...Mutation, ...LifecycleMutation },
  Subscription,
  Dealer,
  Consultant,
  Lead: { ...Lead, ...LeadHandoff, ...LeadLifecycle },
  LeadTimelineEntry,
  FollowUp,
  TestDrive,
  Campaign,
  ChannelRoi,
  LeadAssignmentEvent,
  SalesOrder,
  Customer,
  CustomerDataExport,
  Vehicle,
};
