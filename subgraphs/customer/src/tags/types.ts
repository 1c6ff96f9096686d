import type { TagRow } from '../db/schema.ts';

/** A tag as a rule produces it, before it is stored against a customer. */
export interface TagDraft {
  key: string;
  label: string;
  kind: TagRow['kind'];
  /** 0-100 for scored (predictive) tags, null otherwise. */
  score: number | null;
  /** Behavior tags are windowed: after this instant the tag no longer holds. */
  expiresAt: Date | null;
}
