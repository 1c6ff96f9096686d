import type { Context } from '../context.ts';
import type { MergeRecordRow } from '../db/schema.ts';

interface StoredEvidence {
  source?: string;
  externalId?: string;
  keys?: string[];
  reason?: string;
}

/** The ledger names customers as they were recorded: `merged` keeps its own id even while merged. */
export const MergeRecord = {
  async survivor(m: MergeRecordRow, _: unknown, ctx: Context) {
    return ctx.loaders.customer.load(m.survivorId);
  },
  async merged(m: MergeRecordRow, _: unknown, ctx: Context) {
    return ctx.loaders.customer.load(m.mergedId);
  },
  evidence(m: MergeRecordRow) {
    const e = m.evidence as StoredEvidence;
    return {
      record: e.source && e.externalId ? { source: e.source, externalId: e.externalId } : null,
      matchedKeys: e.keys ?? [],
      reason: e.reason ?? null,
    };
  },
  mergedAt: (m: MergeRecordRow) => m.createdAt,
  status: (m: MergeRecordRow) => (m.undoneAt ? 'UNDONE' : 'ACTIVE'),
  movedIdentityCount: (m: MergeRecordRow) => m.movedIdentities.length,
};
