import { composeServices } from '@apollo/composition';
import { type RunningServer, startSubgraphServer } from '@cx/platform/server';
import { parse } from 'graphql';
import { type AuditFail, auditServer } from 'graphql-http';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningGateway, startGateway } from '../src/index.ts';

const logger = pino({ level: 'silent' });
const things = [
  { id: '1', name: 'one' },
  { id: '2', name: 'two' },
];

const alphaTypeDefs = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
  type Query { thing(id: ID!): Thing things: [Thing!]! }
  type Mutation { rename(id: ID!, name: String!): Thing }
  type Thing @key(fields: "id") { id: ID! name: String! }
`);

const betaTypeDefs = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
  type Thing @key(fields: "id") { id: ID! price: Int! }
`);

interface ThingRef {
  id: string;
}

describe('gateway over HTTP', () => {
  let alpha: RunningServer;
  let beta: RunningServer;
  let gw: RunningGateway;
  let supergraphSdl: string;
  const betaRequestIds: string[] = [];

  beforeAll(async () => {
    alpha = await startSubgraphServer({
      name: 'alpha',
      typeDefs: alphaTypeDefs,
      resolvers: {
        Query: {
          thing: (_: unknown, args: ThingRef) => things.find((t) => t.id === args.id) ?? null,
          things: () => things,
        },
        Mutation: { rename: (_: unknown, args: ThingRef & { name: string }) => ({ ...args }) },
        Thing: { __resolveReference: (ref: ThingRef) => things.find((t) => t.id === ref.id) ?? null },
      },
      logger,
      createContext: () => ({}),
    });
    beta = await startSubgraphServer({
      name: 'beta',
      typeDefs: betaTypeDefs,
      resolvers: {
        Thing: { __resolveReference: (ref: ThingRef) => ({ id: ref.id, price: Number(ref.id) * 100 }) },
      },
      logger,
      createContext: ({ requestId }) => {
        betaRequestIds.push(requestId);
        return {};
      },
    });
    const composed = composeServices([
      { name: 'alpha', typeDefs: alphaTypeDefs, url: 'http://127.0.0.1:1/graphql' },
      { name: 'beta', typeDefs: betaTypeDefs, url: 'http://127.0.0.1:1/graphql' },
    ]);
    if (composed.errors) throw new Error(composed.errors.map((e) => e.message).join('\n'));
    supergraphSdl = composed.supergraphSdl;
    // The composed URLs point nowhere, so passing the queries proves the overrides are used.
    gw = await startGateway({
      supergraphSdl,
      subgraphUrls: { alpha: alpha.url, beta: beta.url },
      port: 0,
      logger,
      maxBodyBytes: 64 * 1024,
      // The audit's own queries use __type.
      introspection: true,
    });
  });

  afterAll(async () => {
    await gw?.close();
    await alpha?.close();
    await beta?.close();
  });

  const post = (body: string, headers: Record<string, string> = {}) =>
    fetch(gw.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

  it('resolves a query across both subgraphs and propagates x-request-id', async () => {
    const res = await post(JSON.stringify({ query: '{ things { id name price } }' }), {
      'x-request-id': 'req-abc.123',
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('req-abc.123');
    expect(await res.json()).toEqual({
      data: {
        things: [
          { id: '1', name: 'one', price: 100 },
          { id: '2', name: 'two', price: 200 },
        ],
      },
    });
    expect(betaRequestIds.at(-1)).toBe('req-abc.123');
  });

  it('generates a request id when the caller sends none or a malformed one', async () => {
    const res = await post(JSON.stringify({ query: '{ thing(id: "2") { price } }' }), {
      'x-request-id': 'bad id\twith spaces',
    });
    const id = res.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(await res.json()).toEqual({ data: { thing: { price: 200 } } });
    expect(betaRequestIds.at(-1)).toBe(id);
  });

  it('serves GET queries with variables', async () => {
    const url = new URL(gw.url);
    url.searchParams.set('query', 'query Q($id: ID!) { thing(id: $id) { name price } }');
    url.searchParams.set('variables', JSON.stringify({ id: '1' }));
    // Apollo's CSRF prevention wants a non-simple header on GET.
    const res = await fetch(url, { headers: { 'apollo-require-preflight': 'true' } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ data: { thing: { name: 'one', price: 100 } } });
  });

  it('reports every subgraph call to the fetch observer', async () => {
    const seen: { subgraph: string; outcome: string }[] = [];
    const observed = await startGateway({
      supergraphSdl,
      subgraphUrls: { alpha: alpha.url, beta: beta.url },
      logger,
      fetchObserver: { fetched: (subgraph, _ms, outcome) => seen.push({ subgraph, outcome }) },
    });
    try {
      const res = await fetch(observed.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ things { name price } }' }),
      });
      expect(res.status).toBe(200);
      expect(seen).toEqual([
        { subgraph: 'alpha', outcome: 'ok' },
        { subgraph: 'beta', outcome: 'ok' },
      ]);
    } finally {
      await observed.close();
    }
  });

  it('answers /healthz without touching subgraphs', async () => {
    const res = await fetch(new URL('/healthz', gw.url));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('rejects a broken JSON body with 400 naming the body', async () => {
    const res = await post('{ "query": ');
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      errors: [{ message: 'body: is not valid JSON', extensions: { code: 'BAD_REQUEST' } }],
    });
  });

  it('rejects a body over maxBodyBytes with 413', async () => {
    const res = await post(JSON.stringify({ query: `{ things { id } } #${'x'.repeat(70 * 1024)}` }));
    expect(res.status).toBe(413);
    expect((await res.json()).errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('disables introspection unless asked for or in development', async () => {
    const plain = await startGateway({
      supergraphSdl,
      subgraphUrls: { alpha: alpha.url, beta: beta.url },
      logger,
    });
    try {
      const res = await fetch(plain.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ __schema { queryType { name } } }' }),
      });
      expect(res.status).toBe(400);
      expect((await res.json()).errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    } finally {
      await plain.close();
    }
  });

  it('passes the GraphQL-over-HTTP audit without errors', async () => {
    const results = await auditServer({ url: gw.url });
    const failures = results.filter((r): r is AuditFail => r.status !== 'ok');
    for (const r of failures) console.warn(`[audit ${r.status}] ${r.name}: ${r.reason}`);
    expect(failures.filter((r) => r.status === 'error').map((r) => r.name)).toEqual([]);
  });

  it('reports /readyz 200 with every subgraph up, then 503 once one is down', async () => {
    const ready = await fetch(new URL('/readyz', gw.url));
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', subgraphs: { alpha: 'up', beta: 'up' } });

    await beta.close();
    const unready = await fetch(new URL('/readyz', gw.url));
    expect(unready.status).toBe(503);
    expect(await unready.json()).toEqual({
      status: 'unavailable',
      subgraphs: { alpha: 'up', beta: 'down' },
      down: ['beta'],
    });

    // A dead subgraph becomes a GraphQL error naming it on its path, not a failed HTTP exchange.
    const partial = await post(JSON.stringify({ query: '{ things { id price } }' }));
    expect(partial.status).toBe(200);
    const result = await partial.json();
    expect(result.errors).toContainEqual(
      expect.objectContaining({
        message: 'beta subgraph is unavailable',
        path: ['things'],
        extensions: expect.objectContaining({ code: 'SUBGRAPH_UNAVAILABLE', subgraph: 'beta' }),
      }),
    );
  });
});
