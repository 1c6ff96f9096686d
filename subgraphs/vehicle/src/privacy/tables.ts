import { defineErasureReceipts } from '@cx/platform';
import { pgSchema } from 'drizzle-orm/pg-core';

/** This subgraph's PIPL erasure receipts (one per erasure). */
export const erasureReceipts = defineErasureReceipts(pgSchema('vehicle'));
