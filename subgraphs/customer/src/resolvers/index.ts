import { DateTime, type ResolverMap } from '@cx/platform';
import type { Context } from '../context.ts';
import { Customer } from './Customer.ts';
import { Mutation } from './Mutation.ts';
import { Query } from './Query.ts';

export const resolvers: ResolverMap<Context> = { DateTime, Query, Mutation, Customer };
