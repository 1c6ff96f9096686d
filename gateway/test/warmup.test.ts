import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { composeServices } from '@apollo/composition';
import { startSubgraphServer } from '@cx/platform/server';
import { parse } from 'graphql';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createGatewaySecurity, startGateway } from '../src/index.ts';
import { operationHash } from '../src/persisted.ts';

const logger = pino({ level: 'silent' });
const typeDefs = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
  type Query { thing(id: ID!): Thing }
  type Thing @key(fields: "id") { id: ID! name: String! }
`);

/** The gateway's plan cache (an internal of @apollo/gateway: a keyed store with `get`). */
interface PlanStore {
  queryPlanStore: { get(key: string): Promise<unknown> };
}

describe('query plan warm-up', () => {
  it('plans every persisted operation at start without calling a subgraph', async () => {
    const calls: string[] = [];
    const subgraph = await startSubgraphServer({
      name: 'alpha',
      typeDefs,
      resolvers: {
        Query: { thing: (_: unknown, { id }: { id: string }) => ({ id, name: `thing ${id}` }) },
      },
      logger,
      createContext: ({ requestId }) => {
        calls.push(requestId);
        return {};
      },
    });
    const composed = composeServices([{ name: 'alpha', typeDefs, url: subgraph.url }]);
    if (composed.errors) throw new Error(composed.errors.map((e) => e.message).join('\n'));
    const dir = mkdtempSync(path.join(tmpdir(), 'persisted-'));
    const query = 'query Thing($id: ID!) { thing(id: $id) { id name } }\n';
    writeFileSync(path.join(dir, 'thing.graphql'), query);
    const gateway = await startGateway({
      supergraphSdl: composed.supergraphSdl,
      logger,
      security: createGatewaySecurity({
        jwt: { secret: 'warmup-test-secret-0123456789abcdef', issuer: 'test', audience: 'test' },
        internalAuthSecret: 'warmup-internal-secret-0123456789',
        limits: { maxDepth: 10, maxAliases: 10, maxCost: 1000 },
        persistedOperationDirs: [dir],
      }),
    });
    try {
      const store = (gateway.gateway as unknown as PlanStore).queryPlanStore;
      // Both cache keys the gateway uses: the bare hash, and the hash with the operation name.
      expect(await store.get(operationHash(query))).toBeDefined();
      const { createHash } = await import('node:crypto');
      const named = createHash('sha256').update(operationHash(query)).update('Thing').digest('hex');
      expect(await store.get(named)).toBeDefined();
      expect(calls).toEqual([]);
    } finally {
      await gateway.close();
      await subgraph.close();
    }
  });
});
