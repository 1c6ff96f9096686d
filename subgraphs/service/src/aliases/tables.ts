import { defineCustomerAliases } from '@cx/platform';
import { pgSchema } from 'drizzle-orm/pg-core';

/** Merged customer ids -> their survivor, kept from the customer subgraph's merge events. */
export const customerAlias = defineCustomerAliases(pgSchema('service'));
