import { DateTime, type ResolverMap } from '@cx/platform';
import type { Context } from '../context.ts';
import { Complaint } from './Complaint.ts';
import { Customer } from './Customer.ts';
import { Mutation } from './Mutation.ts';
import { Query } from './Query.ts';
import { RepairOrder } from './RepairOrder.ts';
import { Vehicle } from './Vehicle.ts';

export const resolvers: ResolverMap<Context> = {
  DateTime,
  Query,
  Mutation,
  RepairOrder,
  Complaint,
  Vehicle,
  Customer,
};
