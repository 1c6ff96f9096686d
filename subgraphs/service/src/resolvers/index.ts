import { DateTime, JSONScalar, type ResolverMap } from '@cx/platform';
import type { Context } from '../context.ts';
import { CustomerDataExport } from '../privacy/index.ts';
import { Appointment, ServiceCapacity } from './Appointment.ts';
import { CareReminder } from './CareReminder.ts';
import { Complaint, ComplaintSlaPolicy } from './Complaint.ts';
import { Customer } from './Customer.ts';
import { Mutation } from './Mutation.ts';
import { Query } from './Query.ts';
import { RepairOrder } from './RepairOrder.ts';
import { RoadsideCase } from './RoadsideCase.ts';
import { Vehicle } from './Vehicle.ts';
import { WarrantyClaim } from './WarrantyClaim.ts';

export const resolvers: ResolverMap<Context> = {
  DateTime,
  JSON: JSONScalar,
  Query,
  Mutation,
  RepairOrder,
  Complaint,
  ComplaintSlaPolicy,
  Appointment,
  ServiceCapacity,
  WarrantyClaim,
  RoadsideCase,
  CareReminder,
  Vehicle,
  Customer,
  CustomerDataExport,
};
