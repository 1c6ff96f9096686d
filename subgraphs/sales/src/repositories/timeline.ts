import { randomBytes } from 'node:crypto';
import type { Db } from '@cx/platform';
import { leadEvents } from '../db/schema.ts';

export type NewLeadEvent = typeof leadEvents.$inferInsert;

let lastMs = 0;
let sequence = 0;

/**
 * A UUIDv7-shaped id that grows with every call in this process (milliseconds, then a counter):
 * entries written at the same business instant (CREATED, then ASSIGNED) list in the order they
 * were written, since the timeline's tiebreak is the id.
 */
export function orderedId(): string {
  const now = Date.now();
  if (now > lastMs) {
    lastMs = now;
    sequence = 0;
  } else if (++sequence > 0xfff) {
    lastMs += 1;
    sequence = 0;
  }
  const random = randomBytes(8);
  random[0] = (random[0]! & 0x3f) | 0x80;
  const hex = `${lastMs.toString(16).padStart(12, '0')}${(0x7000 | sequence).toString(16)}${random.toString('hex')}`;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Appends timeline entries, any number in one statement, listed in the order given. */
export async function insertLeadEvents(db: Db, rows: readonly NewLeadEvent[]): Promise<void> {
  if (rows.length === 0) return;
  await db.insert(leadEvents).values(rows.map((r) => ({ ...r, id: r.id ?? orderedId() })));
}
