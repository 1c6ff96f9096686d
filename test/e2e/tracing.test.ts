import { startTracing, type Tracing } from '@cx/platform/telemetry/tracing';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractOperation } from '../helpers/contract.ts';
import { eventually } from '../helpers/eventually.ts';
import { captureLogs } from '../helpers/logCapture.ts';
import { richCustomerId } from '../helpers/richCustomer.ts';
import { startTestStack, type TestStack } from '../helpers/testStack.ts';

const customer360 = contractOperation('customer360.graphql');
/** The contract 360 query reads from every subgraph. */
const involved = ['customer', 'vehicle', 'sales', 'service', 'feedback'];

describe('one 360 query is one trace: gateway, each subgraph fetch, subgraph request, SQL', () => {
  const exporter = new InMemorySpanExporter();
  const { destination, lines } = captureLogs();
  let tracing: Tracing;
  let stack: TestStack;
  let customerId: string;

  beforeAll(async () => {
    tracing = startTracing({ serviceName: 'cx-test', exporter, synchronous: true });
    stack = await startTestStack('tracing', { customers: 30, logs: { level: 'debug', destination } });
    customerId = await richCustomerId(stack);
  });
  afterAll(async () => {
    await stack?.stop();
    await tracing?.shutdown();
  });

  it('links every span of the request into one trace across the HTTP hops', async () => {
    exporter.reset();
    lines.length = 0;
    const requestId = 'trace-test-360';
    const res = await stack.graphql(customer360, { id: customerId }, { 'x-request-id': requestId });
    expect(res.errors).toBeUndefined();
    expect(res.data?.customer).toBeTruthy();

    // The gateway's server span ends just after the response is written.
    const spans = await eventually(() => {
      const all = exporter.getFinishedSpans();
      expect(all.some((s) => s.name === 'POST /graphql')).toBe(true);
      return all;
    });
    const byId = new Map(spans.map((s) => [s.spanContext().spanId, s]));
    const parentOf = (span: ReadableSpan) => byId.get(span.parentSpanContext?.spanId ?? '');
    const ancestors = (span: ReadableSpan): ReadableSpan[] => {
      const chain: ReadableSpan[] = [];
      for (let p = parentOf(span); p; p = parentOf(p)) chain.push(p);
      return chain;
    };

    // ONE trace: every span recorded while serving the query (background pollers record none).
    const traceIds = new Set(spans.map((s) => s.spanContext().traceId));
    expect(traceIds.size).toBe(1);

    const [root] = spans.filter((s) => s.name === 'POST /graphql');
    expect(root!.kind).toBe(SpanKind.SERVER);
    expect(parentOf(root!)).toBeUndefined();
    const request = spans.find((s) => s.name === 'gateway.request');
    expect(request).toBeDefined();
    expect(ancestors(request!)).toContain(root);
    expect(request!.attributes['graphql.operation.name']).toBe('Customer360');

    const fetches = spans.filter((s) => s.name === 'gateway.fetch');
    expect([...new Set(fetches.map((f) => f.attributes.service))].sort()).toEqual([...involved].sort());
    for (const fetch of fetches) expect(ancestors(fetch)).toContain(request);

    const subgraphRequests = spans.filter((s) => s.name === 'subgraph.request');
    // Each subgraph request span is a child of exactly the gateway fetch that called it (traceparent).
    expect(subgraphRequests).toHaveLength(fetches.length);
    for (const fetch of fetches) {
      const children = subgraphRequests.filter((s) => parentOf(s) === fetch);
      expect(children).toHaveLength(1);
      expect(children[0]!.kind).toBe(SpanKind.SERVER);
      expect(children[0]!.attributes['cx.subgraph']).toBe(fetch.attributes.service);
    }

    const sql = spans.filter((s) => s.attributes['db.system.name'] === 'postgresql');
    for (const name of involved) {
      const own = sql.filter((s) =>
        ancestors(s).some((a) => a.name === 'subgraph.request' && a.attributes['cx.subgraph'] === name),
      );
      expect(own.length, `SQL spans under the ${name} subgraph`).toBeGreaterThan(0);
      for (const s of own) {
        expect(s.kind).toBe(SpanKind.CLIENT);
        expect(String(s.attributes['db.query.text'])).toMatch(/^\s*(select|with)\b/i);
      }
    }
    // Every SQL span belongs to some subgraph request: nothing hangs loose in the trace.
    for (const s of sql) expect(ancestors(s).some((a) => a.name === 'subgraph.request')).toBe(true);

    // Logs: a subgraph line of this request carries the gateway's request id and the same trace id.
    const traceId = root!.spanContext().traceId;
    const gatewayLine = await eventually(() => {
      const line = lines.find((l) => l.service === 'gateway' && l.msg === 'graphql request');
      expect(line).toBeDefined();
      return line!;
    });
    expect(gatewayLine).toMatchObject({ requestId, traceId, operation: 'Customer360' });
    expect(gatewayLine.spanId).toBe(root!.spanContext().spanId);
    for (const name of involved) {
      const line = lines.find((l) => l.service === name && l.msg === 'graphql request');
      expect(line, `${name} logged the request`).toBeDefined();
      expect(line).toMatchObject({ requestId, traceId });
      expect(subgraphRequests.map((s) => s.spanContext().spanId)).toContain(line!.spanId);
    }
  });
});
