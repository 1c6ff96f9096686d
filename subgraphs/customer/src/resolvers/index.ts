import { DateTime, JSONScalar, type ResolverMap } from '@cx/platform';
import type { Context } from '../context.ts';
import { ConsentChange } from './ConsentChange.ts';
import { Customer } from './Customer.ts';
import { CustomerDataExport } from './CustomerDataExport.ts';
import { CustomerErasure } from './CustomerErasure.ts';
import { CustomerIngestResult } from './CustomerIngestResult.ts';
import { MergeRecord } from './MergeRecord.ts';
import { Mutation } from './Mutation.ts';
import { Query } from './Query.ts';
import { Segment } from './Segment.ts';
import { SegmentExport } from './SegmentExport.ts';

export const resolvers: ResolverMap<Context> = {
  DateTime,
  JSON: JSONScalar,
  Query,
  Mutation,
  Customer,
  CustomerDataExport,
  CustomerErasure,
  CustomerIngestResult,
  MergeRecord,
  ConsentChange,
  Segment,
  SegmentExport,
};
