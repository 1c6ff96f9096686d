import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, type BaseContext } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import type { DocumentNode } from 'graphql';
import { INTERNAL_AUTH_HEADER, InternalAuthVerifier, type Viewer } from './auth.ts';
import { databaseUnavailable, isDatabaseUnavailable } from './errors.ts';
import {
  BodyTooLargeError,
  readBody,
  requestUrl,
  sendGraphQLError,
  sendJson,
  toHeaderMap,
  writeGraphQLResponse,
} from './http.ts';
import type { Logger } from './logger.ts';
import { requestScope } from './requestScope.ts';
import { graphqlTelemetryPlugin } from './telemetry/graphql.ts';
import { serveMetrics } from './telemetry/http.ts';
import { Metrics } from './telemetry/metrics.ts';
import { tracerFor, withServerSpan } from './telemetry/tracing.ts';

export interface RequestInfo {
  requestId: string;
  /** The caller the gateway verified; null only when the server runs without an internal secret (in-process tests). */
  viewer: Viewer | null;
  headers: IncomingMessage['headers'];
}

export interface SubgraphServerOptions<TContext extends BaseContext> {
  name: string;
  typeDefs: DocumentNode;
  resolvers: GraphQLResolverMap<TContext>;
  createContext: (request: RequestInfo) => Promise<TContext> | TContext;
  logger: Logger;
  host?: string;
  port?: number;
  maxBodyBytes?: number;
  development?: boolean;
  /** When set, every GraphQL call must carry the gateway's signed internal auth header. */
  internalAuthSecret?: string;
  /** Readiness probe, e.g. a `select 1` against the subgraph's database. */
  ready?: () => Promise<void>;
  /** This server's own registry, served at /metrics (a fresh one when not given). */
  metrics?: Metrics;
  /** Bearer token required by /metrics (METRICS_TOKEN); open when unset. */
  metricsToken?: string;
}

export interface RunningServer {
  name: string;
  url: string;
  port: number;
  server: Server;
  metrics: Metrics;
  close(): Promise<void>;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Responses still being produced, per server, so a shutdown can tell their clients not to reuse the socket. */
const openResponses = new WeakMap<Server, Set<ServerResponse>>();

function trackResponses(server: Server): void {
  if (openResponses.has(server)) return;
  const open = new Set<ServerResponse>();
  openResponses.set(server, open);
  server.on('request', (_req: IncomingMessage, res: ServerResponse) => {
    if (!server.listening) res.shouldKeepAlive = false;
    open.add(res);
    res.once('close', () => open.delete(res));
  });
}

export async function listen(server: Server, host: string, port: number): Promise<number> {
  trackResponses(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

/**
 * Stops accepting connections and drains: requests in flight finish (their responses say
 * `connection: close`), each keep-alive socket is closed as soon as it is idle rather than after
 * keepAliveTimeout (65 s), and whatever is still open after `graceMs` is cut, so close() is bounded.
 */
export function closeServer(server: Server, graceMs = 8_000): Promise<void> {
  return new Promise((resolve) => {
    for (const res of openResponses.get(server) ?? []) if (!res.headersSent) res.shouldKeepAlive = false;
    const drain = setInterval(() => server.closeIdleConnections(), 50);
    const cut = setTimeout(() => server.closeAllConnections(), graceMs);
    server.close(() => {
      clearInterval(drain);
      clearTimeout(cut);
      resolve();
    });
    server.closeIdleConnections();
  });
}

/** Serves one federated subgraph over plain node:http (Apollo Server 5 ships no HTTP framework). */
export async function startSubgraphServer<TContext extends BaseContext>(
  options: SubgraphServerOptions<TContext>,
): Promise<RunningServer> {
  const { logger } = options;
  const metrics = options.metrics ?? new Metrics();
  const tracer = tracerFor(options.name);
  const apollo = new ApolloServer<TContext>({
    schema: buildSubgraphSchema({
      typeDefs: options.typeDefs,
      resolvers: options.resolvers as GraphQLResolverMap<unknown>,
    }),
    includeStacktraceInErrorResponses: options.development ?? false,
    // A call cut by a database outage is retryable, not an internal error.
    formatError: (formatted, error) =>
      isDatabaseUnavailable(unwrapResolverError(error)) ? databaseUnavailable(formatted) : formatted,
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      // No subgraph schema has cache hints and no gateway caches: the default plugin only added a
      // `cache-control: no-store` header, and its per-field hook wrapped every resolver of the schema.
      ApolloServerPluginCacheControlDisabled(),
      graphqlTelemetryPlugin<TContext>(metrics, logger),
    ],
    logger,
  });
  await apollo.start();
  const maxBodyBytes = options.maxBodyBytes ?? 1_000_000;
  const internalAuth = options.internalAuthSecret
    ? new InternalAuthVerifier(options.internalAuthSecret)
    : undefined;

  const server = createServer((req, res) => {
    const requestId = String(req.headers['x-request-id'] ?? randomUUID());
    requestScope.run({ requestId }, () =>
      // One server span per GraphQL call, child of the gateway's fetch span (W3C traceparent).
      req.url?.startsWith('/graphql')
        ? withServerSpan(tracer, 'subgraph.request', req.headers, { 'cx.subgraph': options.name }, () =>
            handle(req, res, requestId),
          )
        : handle(req, res, requestId),
    );
  });
  const handle = async (req: IncomingMessage, res: ServerResponse, requestId: string) => {
    const url = requestUrl(req);
    try {
      if (url.pathname === '/healthz') return sendJson(res, 200, { status: 'ok', subgraph: options.name });
      if (url.pathname === '/readyz') {
        await options.ready?.();
        return sendJson(res, 200, { status: 'ready', subgraph: options.name });
      }
      if (url.pathname === '/metrics') return await serveMetrics(req, res, metrics, options.metricsToken);
      if (url.pathname !== '/graphql') return sendJson(res, 404, { error: 'not found' });
      let viewer: Viewer | null = null;
      if (internalAuth) {
        // Only the gateway holds the secret: a direct call, or a replayed stale header, is refused.
        viewer = internalAuth.verify(headerValue(req.headers[INTERNAL_AUTH_HEADER]));
        if (!viewer)
          return sendGraphQLError(res, 401, 'UNAUTHENTICATED', 'internal auth: missing, invalid or expired');
      }
      const raw = req.method === 'POST' ? await readBody(req, maxBodyBytes) : '';
      let body: unknown;
      if (raw) {
        try {
          body = JSON.parse(raw);
        } catch {
          return sendGraphQLError(res, 400, 'BAD_REQUEST', 'body: is not valid JSON');
        }
      }
      const response = await apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: {
          method: req.method ?? 'GET',
          headers: toHeaderMap(req),
          search: url.search,
          body,
        },
        context: () => Promise.resolve(options.createContext({ requestId, viewer, headers: req.headers })),
      });
      await writeGraphQLResponse(res, response);
    } catch (error) {
      if (error instanceof BodyTooLargeError)
        return sendGraphQLError(res, 413, 'PAYLOAD_TOO_LARGE', error.message);
      logger.error({ err: error }, 'request failed');
      if (!res.headersSent) sendJson(res, 503, { status: 'unavailable' });
      else res.end();
    }
  };
  server.keepAliveTimeout = 65_000;
  const port = await listen(server, options.host ?? '127.0.0.1', options.port ?? 0);
  const url = `http://${options.host ?? '127.0.0.1'}:${port}/graphql`;
  logger.info({ url }, 'subgraph listening');
  return {
    name: options.name,
    url,
    port,
    server,
    metrics,
    close: async () => {
      await closeServer(server);
      await apollo.stop();
    },
  };
}
