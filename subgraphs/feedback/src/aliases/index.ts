import { customerAliasesOf } from '@cx/platform';
import { customerAlias } from './tables.ts';

/**
 * The alias map of merged customer ids: its consumer ('customer.merged' / 'customer.unmerged')
 * and the expansion that lets a survivor's lists include rows recorded under merged ids.
 */
export const aliases = customerAliasesOf(customerAlias);
