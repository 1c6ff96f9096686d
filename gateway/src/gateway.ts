import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import path from 'node:path';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { INTERNAL_AUTH_HEADER, type Viewer } from '@cx/platform/auth';
import {
  BodyTooLargeError,
  readBody,
  requestUrl,
  sendGraphQLError,
  sendJson,
  toHeaderMap,
  writeGraphQLResponse,
} from '@cx/platform/http';
import { closeServer, listen } from '@cx/platform/server';
import type { Metrics } from '@cx/platform/telemetry/metrics';
import { storableTextPlugin } from '@cx/platform/textGuard';
import type { Logger } from 'pino';
import { request } from 'undici';
import { createSubgraphAgent, type SubgraphFetchObserver, SubgraphHttpDataSource } from './dataSource.ts';
import {
  type ExecuteEventQuery,
  type LeadStreamServer,
  type LeadStreamStats,
  type LeadStreamTuning,
  startLeadStreamServer,
} from './leadStream/index.ts';
import {
  applyPersistedOperations,
  authenticate,
  type GatewaySecurity,
  internalAuthHeader,
  limitsPlugin,
  maskErrorsPlugin,
  RequestRefused,
} from './security.ts';
import { createGatewayTelemetry, injectTraceHeaders } from './telemetry/index.ts';
import { installFastVariableCheck } from './variableCheck.ts';
import { stopWarmupAfterPlanning, warmQueryPlans } from './warmup.ts';

export interface GatewayOptions {
  supergraphSdl: string;
  /** URL overrides keyed by subgraph name as in the supergraph's join__Graph enum, e.g. 'customer'. */
  subgraphUrls?: Partial<Record<string, string>>;
  host?: string;
  port?: number;
  logger: Logger;
  maxBodyBytes?: number;
  development?: boolean;
  /** Defaults to `development`, so the gateway never depends on NODE_ENV through Apollo's own default. */
  introspection?: boolean;
  /** Max sockets per subgraph origin. */
  connectionsPerSubgraph?: number;
  /**
   * Merge concurrent requests' identical-shape `_entities` fetches (same operation, same signed
   * caller) into one subgraph call per event-loop turn (entityBatch.ts). On by default.
   */
  coalesceEntityFetches?: boolean;
  /** Per-subgraph timeout of a /readyz probe. */
  readinessTimeoutMs?: number;
  /** Limits of the graphql-ws `leadAssigned` stream; the defaults suit production. */
  leadStream?: LeadStreamTuning;
  /** Token verification, signed claims for subgraphs, query limits, rate limits, persisted operations. */
  security?: GatewaySecurity;
  /** Sees every subgraph call (metrics). */
  fetchObserver?: SubgraphFetchObserver;
  /** Built files of the live lead dashboard, served without auth at GET /dashboard/ (the page asks for a token). */
  staticDashboardDir?: string;
  /** Bearer token for GET /metrics (METRICS_TOKEN); open like /healthz when unset. */
  metricsToken?: string;
}

export interface RunningGateway {
  url: string;
  port: number;
  server: Server;
  gateway: ApolloGateway;
  /** Live figures of the graphql-ws lead stream (null when the supergraph has no leadAssigned). */
  leadStream: LeadStreamStats | null;
  /** This gateway's Prometheus registry, served at /metrics. */
  metrics: Metrics;
  /** `_entities` fetches made and the subgraph calls that carried them, since start (entity batching). */
  readonly entityFetches: { fetches: number; calls: number };
  close(): Promise<void>;
}

export interface GatewayContext {
  requestId: string;
  /** The verified caller; null only on a gateway started without security (HTTP-layer tests). */
  viewer: Viewer | null;
  /** The viewer's claims signed once per request for every subgraph call it makes (x-cx-internal-auth). */
  internalAuth?: string;
}

/** What every subgraph call carries: the request id and the signed claims subgraphs insist on. */
function subgraphHeaders(context: GatewayContext): Record<string, string> {
  const headers: Record<string, string> = { 'x-request-id': context.requestId };
  if (context.internalAuth) headers[INTERNAL_AUTH_HEADER] = context.internalAuth;
  // traceparent of the active gateway.fetch span, so the subgraph's spans join this trace (tracing on only).
  injectTraceHeaders(headers);
  return headers;
}

export type SubgraphStatus = 'up' | 'down';

// Caller-supplied ids end up in logs and subgraph headers, so only short, plain ones are trusted.
const requestIdPattern = /^[A-Za-z0-9._:-]{1,128}$/;

function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && requestIdPattern.test(given) ? given : randomUUID();
}

function isJsonMediaType(contentType: string | undefined): boolean {
  const mediaType = contentType?.split(';', 1)[0].trim().toLowerCase() ?? '';
  return mediaType === 'application/json' || mediaType.endsWith('+json');
}

const staticTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.map': 'application/json; charset=utf-8',
};

/** GET /dashboard/<file> from `dir`; nothing outside it, and only the file types a built page has. */
async function serveStatic(req: IncomingMessage, res: ServerResponse, url: URL, dir: string): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('allow', 'GET, HEAD');
    return sendJson(res, 405, { error: 'method not allowed' });
  }
  // Relative asset paths in index.html need the trailing slash.
  if (url.pathname === '/dashboard') {
    res.writeHead(308, { location: `/dashboard/${url.search}` });
    return void res.end();
  }
  const relative = decodeURIComponent(url.pathname.slice('/dashboard/'.length)) || 'index.html';
  const root = path.resolve(dir);
  const file = path.resolve(root, relative);
  const type = staticTypes[path.extname(file)];
  if (!type || !file.startsWith(root + path.sep)) return sendJson(res, 404, { error: 'not found' });
  let body: Buffer;
  try {
    body = await readFile(file);
  } catch {
    return sendJson(res, 404, { error: 'not found' });
  }
  res.writeHead(200, { 'content-type': type, 'content-length': body.length, 'cache-control': 'no-cache' });
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** The gateway's own identity towards the lead stream's owning subgraph: it filters per subscriber itself. */
const streamViewer: Viewer = { sub: 'gateway:lead-stream', role: 'hq_analyst', scopes: [] };

/** Serves the federated supergraph over plain node:http (Apollo Server 5 ships no HTTP framework). */
export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const { logger, security } = options;
  const telemetry = createGatewayTelemetry({ logger, metricsToken: options.metricsToken });
  const fetchObserver = telemetry.fetchObserver(options.fetchObserver);
  const host = options.host ?? '127.0.0.1';
  const maxBodyBytes = options.maxBodyBytes ?? 1_000_000;
  const readinessTimeoutMs = options.readinessTimeoutMs ?? 2_000;
  const agent = createSubgraphAgent({ connections: options.connectionsPerSubgraph });
  // Filled by buildService while the gateway loads the supergraph; /readyz probes exactly these.
  const subgraphs = new Map<string, string>();
  const dataSources: SubgraphHttpDataSource<GatewayContext>[] = [];

  const gateway = new ApolloGateway({
    supergraphSdl: options.supergraphSdl,
    logger,
    experimental_didResolveQueryPlan: stopWarmupAfterPlanning,
    buildService: ({ name, url }) => {
      const resolved = options.subgraphUrls?.[name] ?? url;
      if (!resolved) throw new Error(`subgraph ${name} has no URL in the supergraph and no override`);
      subgraphs.set(name, resolved);
      const source = new SubgraphHttpDataSource(
        name,
        resolved,
        agent,
        subgraphHeaders,
        fetchObserver,
        options.coalesceEntityFetches === false ? undefined : INTERNAL_AUTH_HEADER,
      );
      dataSources.push(source);
      return source;
    },
  });
  installFastVariableCheck(gateway);

  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    logger,
    includeStacktraceInErrorResponses: options.development ?? false,
    introspection: options.introspection ?? options.development ?? false,
    // Apollo would stop itself and re-raise the signal; the owner of the process drains via close().
    stopOnTerminationSignals: false,
    // Authorization is not CORS-safelisted, so a browser must preflight it: bearer-token GETs are CSRF-safe.
    csrfPrevention: {
      requestHeaders: ['x-apollo-operation-name', 'apollo-require-preflight', 'authorization'],
    },
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      // The gateway sends no cache headers; computing a cache policy per request is wasted work.
      ApolloServerPluginCacheControlDisabled(),
      telemetry.plugin,
      ...(options.security ? [limitsPlugin(options.security.limits)] : []),
      // NUL or a lone surrogate would fail a Postgres statement in some subgraph: refused here, naming the field.
      storableTextPlugin<GatewayContext>(),
      maskErrorsPlugin(options.development ?? false),
    ],
  });
  try {
    await apollo.start();
  } catch (error) {
    await agent.close();
    throw error;
  }
  const planned = await warmQueryPlans(gateway, security?.persisted?.operations() ?? [], logger);
  logger.debug({ planned }, 'query plans warmed for the persisted operations');
  for (const name of Object.keys(options.subgraphUrls ?? {})) {
    if (!subgraphs.has(name))
      logger.warn({ subgraph: name }, 'URL override for a subgraph not in the supergraph');
  }

  const contextFor = (requestId: string, viewer: Viewer | null): GatewayContext => ({
    requestId,
    viewer,
    internalAuth: security && viewer ? internalAuthHeader(security, viewer) : undefined,
  });

  async function probe(url: string, requestId: string): Promise<SubgraphStatus> {
    try {
      const { statusCode, body } = await request(new URL('/readyz', url), {
        dispatcher: agent,
        method: 'GET',
        headers: { 'x-request-id': requestId },
        signal: AbortSignal.timeout(readinessTimeoutMs),
      });
      await body.dump();
      return statusCode === 200 ? 'up' : 'down';
    } catch {
      return 'down';
    }
  }

  async function readiness(res: ServerResponse, requestId: string): Promise<void> {
    const entries = await Promise.all(
      [...subgraphs].map(async ([name, url]) => [name, await probe(url, requestId)] as const),
    );
    const down = entries.filter(([, status]) => status === 'down').map(([name]) => name);
    const body = { status: down.length ? 'unavailable' : 'ready', subgraphs: Object.fromEntries(entries) };
    if (down.length) logger.warn({ down }, 'readiness check failed');
    sendJson(res, down.length ? 503 : 200, down.length ? { ...body, down } : body);
  }

  async function graphql(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    requestId: string,
  ): Promise<void> {
    const viewer = options.security ? await authenticate(options.security, req.headers.authorization) : null;
    let body: unknown;
    if (req.method === 'POST') {
      const raw = await readBody(req, maxBodyBytes);
      // Non-JSON bodies go to Apollo as-is, which rejects them with its content-type error.
      if (raw && isJsonMediaType(req.headers['content-type'])) {
        try {
          body = JSON.parse(raw);
        } catch {
          return sendGraphQLError(res, 400, 'BAD_REQUEST', 'body: is not valid JSON');
        }
      } else if (raw) {
        body = raw;
      }
    }
    if (options.security && body && typeof body === 'object' && !Array.isArray(body)) {
      body = applyPersistedOperations(options.security, body as Record<string, unknown>);
    }
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: {
        method: req.method ?? 'GET',
        headers: toHeaderMap(req),
        search: url.search,
        body,
      },
      context: async () => contextFor(requestId, viewer),
    });
    await writeGraphQLResponse(res, response);
  }

  const server = createServer(async (req, res) => {
    const requestId = requestIdOf(req);
    res.setHeader('x-request-id', requestId);
    try {
      const url = requestUrl(req);
      switch (url.pathname) {
        case '/healthz':
          return sendJson(res, 200, { status: 'ok' });
        case '/readyz':
          return await readiness(res, requestId);
        case '/graphql':
          return await telemetry.traced(req, () => graphql(req, res, url, requestId));
        case '/metrics':
          return await telemetry.serve(req, res);
        default:
          if (options.staticDashboardDir && /^\/dashboard(\/|$)/.test(url.pathname))
            return await serveStatic(req, res, url, options.staticDashboardDir);
          return sendJson(res, 404, { error: 'not found' });
      }
    } catch (error) {
      if (error instanceof RequestRefused) {
        for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
        return sendGraphQLError(res, error.status, error.code, error.message);
      }
      if (error instanceof BodyTooLargeError) {
        // The rest of the body stays unread; closing beats draining an oversized upload.
        res.setHeader('connection', 'close');
        return sendGraphQLError(res, 413, 'PAYLOAD_TOO_LARGE', error.message);
      }
      logger.error({ err: error, requestId }, 'request failed');
      if (!res.headersSent) sendGraphQLError(res, 500, 'INTERNAL_SERVER_ERROR', 'internal server error');
      else res.end();
    }
  });
  // Longer than typical load-balancer idle timeouts, so the balancer closes idle sockets first.
  server.keepAliveTimeout = 65_000;

  // Each streamed event runs as a query through this gateway, so fields of every subgraph resolve.
  const executeEventQuery: ExecuteEventQuery = async ({ query, variables, requestId, scope }) => {
    // The subscriber's own scope: subgraphs mask and filter each event exactly as for a query.
    const response = await apollo.executeOperation(
      { query, variables },
      { contextValue: contextFor(requestId, scope.viewer) },
    );
    if (response.body.kind !== 'single') throw new Error('an event query produced an incremental result');
    return response.body.singleResult;
  };
  let leadStream: LeadStreamServer | null = null;
  let port: number;
  try {
    leadStream = startLeadStreamServer({
      server,
      supergraphSdl: options.supergraphSdl,
      subgraphUrl: (name) => subgraphs.get(name),
      execute: executeEventQuery,
      logger,
      maxPayloadBytes: maxBodyBytes,
      tuning: options.leadStream,
      authenticate: security ? (authorization) => authenticate(security, authorization) : undefined,
      upstreamConnectionParams: security
        ? () => ({ [INTERNAL_AUTH_HEADER]: internalAuthHeader(security, streamViewer) })
        : undefined,
    });
    telemetry.observeLeadStream(leadStream?.stats ?? null);
    port = await listen(server, host, options.port ?? 0);
  } catch (error) {
    await leadStream?.close();
    await apollo.stop();
    await agent.close();
    throw error;
  }
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}/graphql`;
  logger.info({ url, subgraphs: Object.fromEntries(subgraphs) }, 'gateway listening');

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    server,
    gateway,
    leadStream: leadStream?.stats ?? null,
    get entityFetches() {
      const totals = { fetches: 0, calls: 0 };
      for (const { batcher } of dataSources) {
        totals.fetches += batcher?.counters.fetches ?? 0;
        totals.calls += batcher?.counters.calls ?? 0;
      }
      return totals;
    },
    metrics: telemetry.metrics,
    close: () => {
      closing ??= (async () => {
        // First: upgraded sockets keep the HTTP server open until they are gone.
        await leadStream?.close();
        await closeServer(server);
        await apollo.stop();
        await agent.close();
      })();
      return closing;
    },
  };
}
