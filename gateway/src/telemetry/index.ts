import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApolloServerPlugin } from '@apollo/server';
import { graphqlTelemetryPlugin } from '@cx/platform/telemetry/graphql';
import { serveMetrics } from '@cx/platform/telemetry/http';
import { Metrics, outcomeSeries } from '@cx/platform/telemetry/metrics';
import { injectTraceHeaders, tracerFor, withServerSpan } from '@cx/platform/telemetry/tracing';
import type { Logger } from 'pino';
import type { SubgraphFetchObserver } from '../dataSource.ts';
import type { GatewayContext } from '../gateway.ts';
import type { LeadStreamStats } from '../leadStream/index.ts';

export interface GatewayTelemetry {
  readonly metrics: Metrics;
  /** Request rate and latency per operation name. */
  readonly plugin: ApolloServerPlugin<GatewayContext>;
  /** Latency and failures per subgraph fetch; `next` (e.g. a caller's observer) still sees every call. */
  fetchObserver(next?: SubgraphFetchObserver): SubgraphFetchObserver;
  /** Live subscription figures of the graphql-ws lead stream, read at scrape time. */
  observeLeadStream(stats: LeadStreamStats | null): void;
  /** Runs a /graphql request in a server span continuing the client's traceparent (tracing on only). */
  traced<T>(req: IncomingMessage, fn: () => Promise<T>): Promise<T>;
  /** GET /metrics. */
  serve(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

export { injectTraceHeaders };

export function createGatewayTelemetry(options: { logger: Logger; metricsToken?: string }): GatewayTelemetry {
  const metrics = new Metrics();
  // The gateway is the one registry per process that carries Node's own figures (CPU, heap, event loop).
  metrics.collectProcessMetrics();
  const tracer = tracerFor('gateway');
  // Subgraph names come from the supergraph, so the label values are bounded.
  const seriesFor = outcomeSeries(
    metrics,
    'subgraph',
    {
      name: 'cx_subgraph_fetches_total',
      help: 'Gateway-to-subgraph fetches; outcome=error: unreachable, timed out or non-2xx.',
    },
    { name: 'cx_subgraph_fetch_duration_seconds', help: 'Gateway-to-subgraph fetch latency.' },
  );

  return {
    metrics,
    plugin: graphqlTelemetryPlugin<GatewayContext>(metrics, options.logger, (context) => context.requestId),
    fetchObserver: (next) => ({
      fetched(subgraph, durationMs, outcome) {
        const s = seriesFor(subgraph);
        s.duration.observe(durationMs / 1000);
        s[outcome].inc();
        next?.fetched(subgraph, durationMs, outcome);
      },
    }),
    observeLeadStream(stats) {
      if (!stats) return;
      metrics.gauge(
        'cx_lead_stream_subscriptions',
        'Client subscriptions to leadAssigned open now.',
        [],
        (g) => g.set(stats.subscribers),
      );
      metrics.gauge(
        'cx_lead_stream_upstream_subscriptions',
        'Subscriptions from this gateway to the sales subgraph open now.',
        [],
        (g) => g.set(stats.upstreamSubscriptions),
      );
      metrics.gauge(
        'cx_lead_stream_feeds',
        'Shared lead-stream feeds open now (one per dealer filter).',
        [],
        (g) => g.set(stats.feeds),
      );
    },
    traced: (req, fn) =>
      withServerSpan(tracer, `${req.method ?? 'GET'} /graphql`, req.headers, { 'cx.service': 'gateway' }, fn),
    serve: (req, res) => serveMetrics(req, res, metrics, options.metricsToken),
  };
}
