import type { Db } from '@cx/platform';
import { inArray } from 'drizzle-orm';
import { type ComplaintRow, complaints } from '../db/schema.ts';

export async function findComplaintsByIds(db: Db, ids: readonly string[]): Promise<ComplaintRow[]> {
  if (ids.length === 0) return [];
  return db
    .select()
    .from(complaints)
    .where(inArray(complaints.id, [...ids]));
}
