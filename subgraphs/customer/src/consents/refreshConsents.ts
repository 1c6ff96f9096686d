import { type Db, type EventTopics, event, type NewEvent } from '@cx/platform';
import type { ConsentHistoryRow, ConsentPurpose, ConsentRow, Source, SourceRecordRow } from '../db/schema.ts';
import type { StoredPayload } from '../ingest/normalize.ts';
import {
  type ConsentState,
  deleteConsentStates,
  findCurrentConsents,
  findDirectStatements,
  insertConsentHistory,
  upsertConsentStates,
} from '../repositories/consents.ts';
import { publish } from '../repositories/outbox.ts';
import { storedOf, type Trees } from '../repositories/trees.ts';
import { type ConsentStatement, deriveConsents } from './deriveConsents.ts';

export interface ConsentChangeContext {
  now: Date;
  actor: string;
  /** Why the state changed, for the history rows; null when the caller already wrote the history (DIRECT). */
  origin: Exclude<ConsentHistoryRow['origin'], 'DIRECT'> | null;
}

/** At most 1,000 customers (~120 KB) per event, well inside a bus message (NATS: 1 MB by default). */
const CUSTOMERS_PER_EVENT = 1000;

/**
 * Re-derives the current consents of these merge trees from every statement their members hold
 * (source records on the root, direct statements on any member), writes what changed and a
 * history row per change and one customer.consent_changes event naming every customer whose consents
 * changed. A constant number of statements.
 */
export async function refreshConsents(
  db: Db,
  trees: Trees,
  records: readonly Pick<SourceRecordRow, 'customerId' | 'source' | 'observedAt' | 'payload'>[],
  context: ConsentChangeContext,
): Promise<void> {
  if (trees.roots.length === 0) return;
  const statements = new Map<string, ConsentStatement[]>(trees.roots.map((r) => [r, []]));
  for (const r of records) {
    for (const c of (r.payload as unknown as StoredPayload).consents ?? [])
      statements.get(r.customerId)?.push({
        purpose: c.purpose,
        granted: c.granted,
        at: r.observedAt,
        source: r.source,
        direct: false,
      });
  }
  for (const d of await findDirectStatements(db, storedOf(trees, trees.all))) {
    const root = trees.rootOf.get(d.customerId);
    if (root && d.source)
      statements
        .get(root)
        ?.push({ purpose: d.purpose, granted: d.granted, at: d.effectiveAt, source: d.source, direct: true });
  }
  const current = new Map<string, Map<ConsentPurpose, ConsentRow>>(trees.roots.map((r) => [r, new Map()]));
  for (const c of await findCurrentConsents(db, storedOf(trees, trees.roots)))
    current.get(c.customerId)?.set(c.purpose, c);
  const upserts: ConsentState[] = [];
  const removals: { customerId: string; purpose: ConsentPurpose }[] = [];
  const changes: { customerId: string; purpose: ConsentPurpose; granted: boolean; source: Source | null }[] =
    [];
  // Other subgraphs (e.g. survey and messaging channels) keep their own view of who may be contacted;
  // to them no statement is not a refusal, so a first refusal is news too. One event for the whole
  // call: an ingest batch changes two purposes of most of its thousand customers, and an outbox row
  // per customer cost a sixth of the batch's Postgres time (bench/PROFILE.md, session 9).
  const changed: EventTopics['customer.consent_changes']['customers'] = [];
  for (const root of trees.roots) {
    const changedBefore = changes.length;
    const derived = deriveConsents(statements.get(root) ?? []);
    const held = current.get(root)!;
    for (const [purpose, s] of derived) {
      const prev = held.get(purpose);
      if (prev && prev.granted === s.granted && prev.source === s.source) continue;
      upserts.push({ customerId: root, purpose, granted: s.granted, source: s.source });
      if (!prev || prev.granted !== s.granted)
        changes.push({ customerId: root, purpose, granted: s.granted, source: s.source });
    }
    for (const c of held.values()) {
      if (derived.has(c.purpose)) continue;
      // No statement left (it left with an unmerged customer): no consent.
      removals.push({ customerId: root, purpose: c.purpose });
      if (c.granted) changes.push({ customerId: root, purpose: c.purpose, granted: false, source: null });
    }
    if (changes.length > changedBefore)
      changed.push({
        customerId: root,
        changes: changes.slice(changedBefore).map((c) => ({ purpose: c.purpose, granted: c.granted })),
      });
  }
  await upsertConsentStates(db, upserts, context.now, trees.fresh);
  await deleteConsentStates(db, removals);
  const { origin, actor, now } = context;
  if (origin)
    await insertConsentHistory(
      db,
      changes.map((c) => ({
        customerId: c.customerId,
        purpose: c.purpose,
        granted: c.granted,
        source: c.source,
        origin,
        actor,
        effectiveAt: now,
        createdAt: now,
      })),
    );
  const events: NewEvent[] = [];
  for (let i = 0; i < changed.length; i += CUSTOMERS_PER_EVENT) {
    const customers = changed.slice(i, i + CUSTOMERS_PER_EVENT);
    // Keyed by its first customer: the event is about all of them, in the order of `roots`.
    events.push(
      event('customer.consent_changes', customers[0]!.customerId, { customers, at: now.toISOString() }),
    );
  }
  await publish(db, events);
}
