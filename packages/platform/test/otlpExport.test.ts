import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/testDatabase.ts';
import { createDatabase, type DatabaseHandle } from '../src/db.ts';
import {
  startTracing,
  type Tracing,
  tracerFor,
  tracingConfigFromEnv,
  tracingEnabled,
  withServerSpan,
} from '../src/telemetry/tracing.ts';

/** What an OTLP/HTTP collector received: path and JSON body of each export. */
interface Export {
  path: string;
  body: {
    resourceSpans: {
      resource: { attributes: { key: string; value: { stringValue?: string } }[] };
      scopeSpans: { spans: { name: string; traceId: string; parentSpanId?: string }[] }[];
    }[];
  };
}

describe('tracing from the environment, exported over OTLP/HTTP', () => {
  let collector: Server;
  const received: Export[] = [];
  let tracing: Tracing;
  let database: TestDatabase;
  let handle: DatabaseHandle;

  beforeAll(async () => {
    collector = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ path: req.url ?? '', body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    const { port } = collector.address() as AddressInfo;
    database = await createTestDatabase('otlp');
    handle = createDatabase({ url: database.url, pglite: database.pglite, poolMax: 2 });
    expect(tracingEnabled()).toBe(false);
    // As a process would from OTEL_EXPORTER_OTLP_ENDPOINT alone: the exporter defaults to otlp.
    const config = tracingConfigFromEnv(
      { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}/`, OTEL_TRACES_SAMPLER_ARG: 1 },
      'cx-otlp-test',
    );
    expect(config.exporter).toBe('otlp');
    tracing = startTracing(config);
  });
  afterAll(async () => {
    await tracing?.shutdown();
    await handle?.close();
    await database?.drop();
    await new Promise((resolve) => collector?.close(resolve));
  });

  it('continues the caller traceparent and sends the server span and its SQL to /v1/traces', async () => {
    expect(tracingEnabled()).toBe(true);
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const parentId = '00f067aa0ba902b7';
    const tracer = tracerFor('otlp-test');
    await withServerSpan(
      tracer,
      'subgraph.request',
      { traceparent: `00-${traceId}-${parentId}-01` },
      {},
      () => handle.db.execute(sql`select 1 as one`),
    );
    // A caller that did not sample: nothing of its request is recorded.
    await withServerSpan(
      tracer,
      'subgraph.request',
      { traceparent: `00-${'1'.repeat(32)}-${parentId}-00` },
      {},
      () => handle.db.execute(sql`select 2 as two`),
    );
    await tracing.flush();

    expect(received.length).toBeGreaterThan(0);
    expect(new Set(received.map((r) => r.path))).toEqual(new Set(['/v1/traces']));
    const resources = received.flatMap((r) => r.body.resourceSpans);
    expect(
      resources.every((r) =>
        r.resource.attributes.some((a) => a.key === 'service.name' && a.value.stringValue === 'cx-otlp-test'),
      ),
    ).toBe(true);
    const spans = resources.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
    expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set([traceId]));
    const server = spans.find((s) => s.name === 'subgraph.request');
    expect(server?.parentSpanId).toBe(parentId);
    const select = spans.find((s) => s.name === 'SELECT');
    expect(select).toBeDefined();
    expect(select!.parentSpanId).not.toBe(parentId);
    expect(spans).toHaveLength(2);
  });
});
