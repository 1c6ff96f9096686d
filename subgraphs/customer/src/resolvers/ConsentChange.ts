import type { ConsentHistoryRow } from '../db/schema.ts';

export const ConsentChange = {
  recordedAt: (c: ConsentHistoryRow) => c.createdAt,
};
