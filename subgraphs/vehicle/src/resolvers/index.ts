import { DateTime, JSONScalar, type ResolverMap } from '@cx/platform';
import type { Context } from '../context.ts';
import { CustomerDataExport } from '../privacy/index.ts';
import { Customer } from './Customer.ts';
import { Mutation } from './Mutation.ts';
import { Query } from './Query.ts';
import { Vehicle } from './Vehicle.ts';
import { VehicleModel } from './VehicleModel.ts';

export const resolvers: ResolverMap<Context> = {
  DateTime,
  JSON: JSONScalar,
  Query,
  Mutation,
  Vehicle,
  VehicleModel,
  Customer,
  CustomerDataExport,
};
