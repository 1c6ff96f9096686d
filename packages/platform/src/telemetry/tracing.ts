import {
  type Context,
  context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  ConsoleSpanExporter,
  ParentBasedSampler,
  SimpleSpanProcessor,
  type SpanExporter,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';

export interface TracingConfig {
  serviceName: string;
  /** `none` keeps the OpenTelemetry API a no-op: no provider, no context manager, no spans. */
  exporter: 'none' | 'otlp' | 'console' | SpanExporter;
  /** OTLP/HTTP base URL (the collector's, e.g. http://otel-collector:4318); `/v1/traces` is appended. */
  otlpEndpoint?: string;
  /** Share of new traces recorded (0..1); a caller's sampling decision is kept. */
  sampleRatio?: number;
  /** Export each span as it ends (tests) instead of in batches. */
  synchronous?: boolean;
}

export interface Tracing {
  /** Flushes pending spans (tests call it before reading an in-memory exporter). */
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

let enabled = false;

/** Whether a tracer provider is installed; when not, request paths skip all span work. */
export function tracingEnabled(): boolean {
  return enabled;
}

/** The OTEL_* settings from the validated environment. */
export function tracingConfigFromEnv(
  env: {
    OTEL_TRACES_EXPORTER?: 'none' | 'otlp' | 'console';
    OTEL_EXPORTER_OTLP_ENDPOINT?: string;
    OTEL_SERVICE_NAME?: string;
    OTEL_TRACES_SAMPLER_ARG: number;
  },
  serviceName: string,
): TracingConfig {
  return {
    serviceName: env.OTEL_SERVICE_NAME ?? serviceName,
    exporter: env.OTEL_TRACES_EXPORTER ?? (env.OTEL_EXPORTER_OTLP_ENDPOINT ? 'otlp' : 'none'),
    otlpEndpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT,
    sampleRatio: env.OTEL_TRACES_SAMPLER_ARG,
  };
}

function exporterFor(config: TracingConfig): SpanExporter {
  if (config.exporter === 'console') return new ConsoleSpanExporter();
  if (config.exporter === 'otlp') {
    const base = config.otlpEndpoint?.replace(/\/+$/, '');
    return new OTLPTraceExporter(base ? { url: `${base}/v1/traces` } : {});
  }
  if (config.exporter === 'none') throw new Error('no exporter for tracing "none"');
  return config.exporter;
}

/**
 * Installs the process-wide tracer provider (W3C traceparent propagation, async-context tracking).
 * @apollo/gateway's own spans (gateway.request, gateway.plan, gateway.fetch...) go through it too.
 */
export function startTracing(config: TracingConfig): Tracing {
  if (config.exporter === 'none') return { flush: async () => {}, shutdown: async () => {} };
  const exporter = exporterFor(config);
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: config.serviceName }),
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(config.sampleRatio ?? 1) }),
    spanProcessors: [
      config.synchronous ? new SimpleSpanProcessor(exporter) : new BatchSpanProcessor(exporter),
    ],
  });
  provider.register();
  enabled = true;
  return {
    flush: () => provider.forceFlush(),
    shutdown: async () => {
      enabled = false;
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}

export function tracerFor(name: string): Tracer {
  return trace.getTracer(`cx.${name}`);
}

type HeaderBag = Record<string, string | string[] | undefined>;

/**
 * Runs `fn` inside a server span continuing the caller's trace (W3C traceparent in `headers`).
 * Without tracing it just calls `fn`.
 */
export function withServerSpan<T>(
  tracer: Tracer,
  name: string,
  headers: HeaderBag,
  attributes: Record<string, string>,
  fn: (span: Span | undefined) => Promise<T>,
): Promise<T> {
  if (!enabled) return fn(undefined);
  // Always from ROOT: in the single-process stack a subgraph must not inherit the gateway's context
  // by accident; its parent comes from the header, as it would across machines.
  const parent = propagation.extract(ROOT_CONTEXT, headers);
  const span = tracer.startSpan(name, { kind: SpanKind.SERVER, attributes }, parent);
  return context.with(trace.setSpan(parent, span), async () => {
    try {
      return await fn(span);
    } catch (error) {
      recordError(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

/** Adds traceparent (and tracestate) for the active span to outgoing headers. */
export function injectTraceHeaders(headers: Record<string, string>, from: Context = context.active()): void {
  if (enabled) propagation.inject(from, headers);
}

export function recordError(span: Span, error: unknown): void {
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: error instanceof Error ? error.message : String(error),
  });
}

/** The active span, undefined when tracing is off (no context lookup then). */
export function activeSpan(): Span | undefined {
  return enabled ? trace.getSpan(context.active()) : undefined;
}

/** The active trace and span ids, for log lines. */
export function activeTraceIds(): { traceId: string; spanId: string } | undefined {
  const span = activeSpan();
  if (!span) return undefined;
  const { traceId, spanId } = span.spanContext();
  return { traceId, spanId };
}
