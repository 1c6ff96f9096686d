import { request as httpRequest } from 'node:http';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractOperation } from '../helpers/contract.ts';
import { eventually } from '../helpers/eventually.ts';
import { subscribe, wsUrlOf } from '../helpers/leadStream.ts';
import { restartSubgraph } from '../helpers/reliability.ts';
import { startTestStack, type TestStack } from '../helpers/testStack.ts';
import { authHeader } from '../helpers/tokens.ts';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack('rel_shutdown', { customers: 10 });
});

afterAll(async () => {
  await stack?.stop();
});

/**
 * A request whose body arrives in two parts: the gateway is mid-request (reading the body) when
 * close() is called, and only gets the rest afterwards.
 */
function twoPartRequest(url: string, body: string, authorization: string) {
  const target = new URL(url);
  let sendRest: () => void = () => {};
  const response = new Promise<{ status: number; body: string; connection: string | undefined }>(
    (resolve, reject) => {
      const req = httpRequest(
        {
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            authorization,
          },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            text += chunk;
          });
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, body: text, connection: res.headers.connection }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      const half = Math.floor(body.length / 2);
      req.write(body.slice(0, half));
      sendRest = () => req.end(body.slice(half));
    },
  );
  return { response, sendRest: () => sendRest() };
}

describe('graceful shutdown of the gateway', () => {
  it('finishes in-flight requests, closes subscriptions with 1001, drains keep-alive sockets, and returns promptly', async () => {
    const { gateway } = stack;
    const auth = await authHeader({ role: 'hq_analyst' });

    // A dashboard subscribed to the live stream.
    const dashboard = subscribe(wsUrlOf(gateway.url), contractOperation('leadAssigned.graphql'));
    await eventually(() => expect(gateway.leadStream?.subscribers).toBe(1));

    // An idle keep-alive connection, left open by a client after a request (closing must not wait 65 s for it).
    const keepAlive = new Agent({ keepAliveTimeout: 120_000, keepAliveMaxTimeout: 120_000 });
    const warm = await request(gateway.url, {
      dispatcher: keepAlive,
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth },
      body: JSON.stringify({ query: '{ dealers { code } }' }),
    });
    expect(warm.statusCode).toBe(200);
    await warm.body.dump();

    // A request in flight: the gateway has its headers and half its body.
    const query = `query { dealers { code name consultants { id name } } }`;
    const inFlight = twoPartRequest(gateway.url, JSON.stringify({ query }), auth.authorization);
    await new Promise((r) => setTimeout(r, 300));

    const started = performance.now();
    const closing = gateway.close();
    await new Promise((r) => setTimeout(r, 300));
    inFlight.sendRest();

    const answer = await inFlight.response;
    expect(answer.status).toBe(200);
    const parsed = JSON.parse(answer.body) as { data?: { dealers: unknown[] }; errors?: unknown };
    expect(parsed.errors).toBeUndefined();
    expect(parsed.data?.dealers.length).toBeGreaterThan(0);
    // The client is told not to reuse a socket of a server that is going away.
    expect(answer.connection).toBe('close');

    await closing;
    const closeMs = performance.now() - started;
    console.log(
      `gateway close with an in-flight request, an idle keep-alive socket and a subscriber: ${Math.round(closeMs)} ms`,
    );
    expect(closeMs).toBeLessThan(10_000);
    expect(gateway.server.listening).toBe(false);
    await eventually(() => expect(dashboard.closeCode).toBe(1001));

    // Nothing listens any more: a new connection is refused, not left hanging.
    await expect(request(new URL('/healthz', gateway.url), { headersTimeout: 5_000 })).rejects.toMatchObject({
      code: 'ECONNREFUSED',
    });
    await dashboard.close();
    await keepAlive.close();
  });

  it('a subgraph server drains the same way, and a request that never completes cannot hold close() past the grace period', async () => {
    const sub = stack.subgraphs.vehicle;
    const keepAlive = new Agent({ keepAliveTimeout: 120_000, keepAliveMaxTimeout: 120_000 });
    const health = await request(new URL('/healthz', sub.url), { dispatcher: keepAlive });
    expect(health.statusCode).toBe(200);
    await health.body.dump();
    // A client that sends half a body and then goes silent.
    const stuck = twoPartRequest(sub.url, JSON.stringify({ query: '{ vehicleModels { code } }' }), 'none');
    const outcome = stuck.response.then(
      () => 'answered',
      (error: NodeJS.ErrnoException) => error.code,
    );
    await new Promise((r) => setTimeout(r, 300));
    const started = performance.now();
    await sub.close();
    const closeMs = performance.now() - started;
    console.log(
      `subgraph close with an idle keep-alive socket and a stalled request: ${Math.round(closeMs)} ms`,
    );
    // Cut at the grace period (8 s), not after keepAliveTimeout (65 s) or never.
    expect(closeMs).toBeLessThan(15_000);
    expect(sub.server.listening).toBe(false);
    // The subgraph may refuse it (no internal auth) before the body is complete; either way the socket is gone.
    expect(['answered', 'ECONNRESET']).toContain(await outcome);
    await keepAlive.close();
    // The stack's own teardown closes a fresh one.
    await restartSubgraph(stack, 'vehicle', sub.port);
  });
});
