import { type Db, event } from '@cx/platform';
import { eq, or } from 'drizzle-orm';
import { customers, type ErasureRow } from '../db/schema.ts';
import { type MutationError, mutationError } from '../errors.ts';
import { findCustomersByIds } from '../repositories/customers.ts';
import { lockIdentityGraph } from '../repositories/merges.ts';
import { publish } from '../repositories/outbox.ts';
import { eraseCustomerRows, findErasuresByCustomers, insertErasure } from './repositories.ts';

export interface EraseInput {
  customerId: string;
  reason: string;
}

export interface EraseOutcome {
  erasure: ErasureRow | null;
  /** False when the person had already been erased: the same erasure, no new work. */
  created: boolean;
  userErrors: MutationError[];
}

const fail = (field: string, code: string, message: string): EraseOutcome => ({
  erasure: null,
  created: false,
  userErrors: [mutationError(field, code, message)],
});

/**
 * PIPL erasure of a person (the whole merge tree of the given id), in one transaction: the
 * customer subgraph's own data is anonymized or deleted (privacy/repositories.ts), the erasure is
 * recorded with who asked, when and why, and 'customer.erased' goes to the outbox so that every
 * other subgraph erases its part and reports back. Asking again returns the first erasure.
 */
export async function eraseCustomer(
  db: Db,
  input: EraseInput,
  context: { now: Date; actor: string },
): Promise<EraseOutcome> {
  const reason = input.reason.trim();
  if (!reason || reason.length > 500)
    return fail('input.reason', 'REASON_INVALID', 'must be 1 to 500 characters');
  return db.transaction(async (tx) => {
    // Merges and ingest reshape trees under this lock: nobody merges into the person mid-erasure.
    await lockIdentityGraph(tx);
    const [customer] = await findCustomersByIds(tx, [input.customerId]);
    if (!customer) return fail('input.customerId', 'CUSTOMER_NOT_FOUND', `no customer ${input.customerId}`);
    const root = customer.mergedInto ?? customer.id;
    const [existing] = await findErasuresByCustomers(tx, [root]);
    if (existing) return { erasure: existing, created: false, userErrors: [] };
    const members = await tx
      .select({ id: customers.id })
      .from(customers)
      .where(or(eq(customers.id, root), eq(customers.mergedInto, root)));
    const mergedIds = members.map((m) => m.id).filter((id) => id !== root);
    await eraseCustomerRows(tx, [root, ...mergedIds], context.now);
    const erasure = await insertErasure(tx, {
      customerId: root,
      mergedIds,
      reason,
      requestedBy: context.actor,
      requestedAt: context.now,
    });
    await publish(tx, [
      event('customer.erased', root, {
        erasureId: erasure.id,
        customerId: root,
        mergedIds,
        at: context.now.toISOString(),
      }),
    ]);
    return { erasure, created: true, userErrors: [] };
  });
}

/** Merging into, or undoing a merge of, an erased person would bring erased data back. */
export async function erasedAmong(db: Db, customerIds: readonly string[]): Promise<string | null> {
  const rows = await findCustomersByIds(db, customerIds);
  return rows.find((r) => r.erasedAt !== null)?.id ?? null;
}
