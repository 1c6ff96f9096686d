import { type Db, isUuid } from '@cx/platform';
import type { ConsentPurpose, CustomerRow, Source } from '../db/schema.ts';
import { type MutationError, mutationError } from '../errors.ts';
import { insertConsentHistory } from '../repositories/consents.ts';
import { findCustomersByIds } from '../repositories/customers.ts';
import { findSourceRecordsByCustomerIds } from '../repositories/ingest.ts';
import { lockIdentityGraph } from '../repositories/merges.ts';
import { loadTrees } from '../repositories/trees.ts';
import { refreshConsents } from './refreshConsents.ts';

export interface ConsentUpdateInput {
  customerId: string;
  consents: { purpose: ConsentPurpose; granted: boolean }[];
  source: Source;
  note?: string | null;
}

const MAX_NOTE = 500;

/**
 * The customer's own statement per purpose: one DIRECT history row each (the evidence), then the
 * current state re-derived, where the newest statement wins. A statement naming a merged-away id
 * counts for the survivor.
 */
export async function updateConsents(
  db: Db,
  input: ConsentUpdateInput,
  context: { now: Date; actor: string },
): Promise<{ customer: CustomerRow | null; userErrors: MutationError[] }> {
  const userErrors: MutationError[] = [];
  if (!isUuid(input.customerId))
    userErrors.push(mutationError('input.customerId', 'CUSTOMER_ID_INVALID', 'is not a customer id'));
  if (input.consents.length === 0)
    userErrors.push(mutationError('input.consents', 'CONSENTS_EMPTY', 'must state at least one purpose'));
  const purposes = input.consents.map((c) => c.purpose);
  const repeated = purposes.find((p, i) => purposes.indexOf(p) !== i);
  if (repeated)
    userErrors.push(mutationError('input.consents', 'DUPLICATE_PURPOSE', `states ${repeated} twice`));
  const note = input.note?.trim() || null;
  if ((note?.length ?? 0) > MAX_NOTE)
    userErrors.push(mutationError('input.note', 'NOTE_INVALID', `must be at most ${MAX_NOTE} characters`));
  if (userErrors.length > 0) return { customer: null, userErrors };

  return db.transaction(async (tx) => {
    await lockIdentityGraph(tx);
    const [customer] = await findCustomersByIds(tx, [input.customerId.toLowerCase()]);
    if (!customer)
      return {
        customer: null,
        userErrors: [
          mutationError('input.customerId', 'CUSTOMER_NOT_FOUND', `no customer ${input.customerId}`),
        ],
      };
    const root = customer.mergedInto ?? customer.id;
    await insertConsentHistory(
      tx,
      input.consents.map((c) => ({
        customerId: root,
        purpose: c.purpose,
        granted: c.granted,
        origin: 'DIRECT' as const,
        source: input.source,
        actor: context.actor,
        note,
        effectiveAt: context.now,
        createdAt: context.now,
      })),
    );
    await refreshConsents(tx, await loadTrees(tx, [root]), await findSourceRecordsByCustomerIds(tx, [root]), {
      ...context,
      origin: null,
    });
    const [current] = await findCustomersByIds(tx, [root]);
    return { customer: current ?? null, userErrors: [] };
  });
}
