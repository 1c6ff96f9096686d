import { DateTime, type ResolverMap } from '@cx/platform';
import type { Context } from '../context.ts';
import { ConsentChange } from './ConsentChange.ts';
import { Customer } from './Customer.ts';
import { MergeRecord } from './MergeRecord.ts';
import { Mutation } from './Mutation.ts';
import { Query } from './Query.ts';
import { Segment } from './Segment.ts';
import { SegmentExport } from './SegmentExport.ts';

export const resolvers: ResolverMap<Context> = {
  DateTime,
  Query,
  Mutation,
  Customer,
  MergeRecord,
  ConsentChange,
  Segment,
  SegmentExport,
};
