import { schema as customerSchema } from '@cx/customer';
import { isNotNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractOperation } from '../helpers/contract.ts';
import { startTestStack, type TestStack } from '../helpers/testStack.ts';
import { authHeader } from '../helpers/tokens.ts';

/**
 * The gateway merges concurrent requests' `_entities` fetches of one shape and one signed caller
 * into a single subgraph call (gateway/src/entityBatch.ts). Merging must be invisible: each
 * request's answer is exactly what it gets alone, whoever else was in the call, and callers with
 * different rights never share one.
 */
const customer360 = contractOperation('customer360.graphql');

describe('entity fetches merged across concurrent requests', () => {
  let stack: TestStack;
  let customers: { id: string; dealer: string }[];

  beforeAll(async () => {
    stack = await startTestStack('entity_batching', { customers: 40 });
    customers = (
      await stack.dbs.customer
        .select({ id: customerSchema.customers.id, dealer: customerSchema.customers.preferredDealerCode })
        .from(customerSchema.customers)
        .where(isNotNull(customerSchema.customers.preferredDealerCode))
        .orderBy(customerSchema.customers.id)
        .limit(24)
    ).map((c) => ({ id: c.id, dealer: c.dealer! }));
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('answers each request as it would alone, for HQ and dealer callers at once', async () => {
    const dealer = customers[0]!.dealer;
    const callers = [
      { name: 'hq', headers: await authHeader({ role: 'hq_analyst' }) },
      { name: 'dealer', headers: await authHeader({ role: 'dealer_manager', dealer }) },
    ];
    const calls = customers.flatMap((c) => callers.map((caller) => ({ id: c.id, caller })));
    const run = (call: (typeof calls)[number]) =>
      stack.graphql(customer360, { id: call.id }, call.caller.headers);

    // One at a time: nothing to merge with.
    const alone = [];
    for (const call of calls) alone.push(await run(call));
    const before = stack.gateway.entityFetches;
    expect(before.calls).toBe(before.fetches);

    // Fetches merge only when they are issued in the same event-loop turn, which depends on how
    // the subgraphs' answers happen to arrive: rounds repeat (each checked) until one merged.
    let together: Awaited<ReturnType<typeof run>>[] = [];
    let merged = false;
    for (let round = 1; round <= 5 && !merged; round += 1) {
      const start = stack.gateway.entityFetches;
      together = await Promise.all(calls.map(run));
      const end = stack.gateway.entityFetches;
      const fetches = end.fetches - start.fetches;
      const subgraphCalls = end.calls - start.calls;
      console.log(
        `entity batching, round ${round}: ${calls.length} concurrent 360s, ${fetches} entity fetches in ${subgraphCalls} subgraph calls`,
      );
      merged = subgraphCalls < fetches;
      for (const [i, call] of calls.entries()) {
        expect(together[i], `${call.caller.name} ${call.id}`).toEqual(alone[i]);
      }
    }
    expect(merged).toBe(true);
    // The two callers' answers differ (masking, dealer scope), so a call shared across rights
    // would have shown above as a mismatch.
    const differing = customers.filter(
      (_, k) => JSON.stringify(together[2 * k]) !== JSON.stringify(together[2 * k + 1]),
    );
    expect(differing.length).toBeGreaterThan(0);
  });
});
