import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingest, mergeManually, phoneNo } from './operations.ts';
import { type CustomerTestStack, clientOf, gql, startCustomerSubgraph } from './support.ts';

const listQuery = `query ($first: Int) {
  customers(first: $first) {
    nodes {
      id identities { kind value } tags { key } consents { purpose granted }
      consentHistory(first: 3) { totalCount nodes { purpose origin } }
      mergeHistory(first: 3) { totalCount nodes { id rule survivor { id displayName } merged { id } } }
    }
  }
}`;

describe('per-request loaders: no N+1 on customer lists', () => {
  let stack: CustomerTestStack;
  beforeAll(async () => {
    stack = await startCustomerSubgraph();
    const client = clientOf(stack);
    const { results } = await ingest(
      client,
      Array.from({ length: 40 }, (_, i) => ({
        source: 'APP',
        externalId: `app-${i}`,
        name: `Person ${i}`,
        phone: phoneNo(i),
        phoneVerified: true,
        consents: [{ purpose: 'MARKETING_SMS', granted: i % 2 === 0 }],
      })),
    );
    // Every other pair is one person: 20 merges, so every listed survivor has a merge history.
    for (let i = 0; i < 40; i += 2)
      await mergeManually(client, {
        survivorId: results[i]!.customer.id,
        mergedId: results[i + 1]!.customer.id,
        reason: 'pairs',
      });
  });
  afterAll(async () => {
    await stack?.close();
  });

  async function statementsFor(first: number) {
    stack.database.counter.reset();
    const res = await gql<{ customers: { nodes: { mergeHistory: { totalCount: number } }[] } }>(
      stack,
      listQuery,
      {
        first,
      },
    );
    return { statements: stack.database.counter.requestCount, nodes: res.data!.customers.nodes };
  }

  it('costs the same statements for 2 customers as for 20, merge and consent histories included', async () => {
    const few = await statementsFor(2);
    const many = await statementsFor(20);
    expect(many.nodes).toHaveLength(20);
    expect(many.nodes.every((n) => n.mergeHistory.totalCount === 1)).toBe(true);
    expect(many.statements).toBe(few.statements);
    expect(many.statements).toBeLessThanOrEqual(12);
  });
});
