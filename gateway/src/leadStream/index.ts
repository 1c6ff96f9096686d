import type { Server } from 'node:http';
import type { Logger } from 'pino';
import { STREAM_FIELD } from './operation.ts';
import type { ExecuteEventQuery } from './results.ts';
import type { AuthenticateConnection } from './scope.ts';
import { LeadStream, type LeadStreamStats, type LeadStreamTuning } from './stream.ts';
import { readSupergraph } from './supergraph.ts';
import { connectCursorSource, toWebSocketUrl } from './upstream.ts';
import { serveGraphqlWs } from './wsServer.ts';

export type { ExecuteEventQuery } from './results.ts';
export type { LeadStreamStats, LeadStreamTuning } from './stream.ts';

export interface LeadStreamServerOptions {
  /** The gateway's HTTP server: graphql-ws shares its port and `/graphql` path. */
  server: Server;
  supergraphSdl: string;
  /** The URL the gateway uses for a subgraph (named as in join__Graph). */
  subgraphUrl(name: string): string | undefined;
  execute: ExecuteEventQuery;
  logger: Logger;
  maxPayloadBytes: number;
  tuning?: LeadStreamTuning;
  /** Verifies the bearer token of each graphql-ws connection. */
  authenticate?: AuthenticateConnection;
  /** connection_init payload for the owning subgraph (its signed internal auth), evaluated per (re)connect. */
  upstreamConnectionParams?: () => Record<string, unknown>;
}

export interface LeadStreamServer {
  stats: LeadStreamStats;
  /** Closes client connections with 1001, then every upstream subscription. */
  close(): Promise<void>;
}

/**
 * Serves `leadAssigned` over graphql-ws when the supergraph has it: positions come from the
 * subgraph that owns the field (over its own graphql-ws endpoint), each event's selection from
 * `execute`. Null when the supergraph has no such subscription.
 */
export function startLeadStreamServer(options: LeadStreamServerOptions): LeadStreamServer | null {
  const { apiSchema, subscriptionOwners } = readSupergraph(options.supergraphSdl);
  const owner = subscriptionOwners.get(STREAM_FIELD);
  const ownerUrl = owner ? options.subgraphUrl(owner) : undefined;
  if (!ownerUrl) return null;
  const logger = options.logger.child({ component: 'lead-stream' });
  const source = connectCursorSource({
    url: toWebSocketUrl(ownerUrl),
    logger,
    connectionParams: options.upstreamConnectionParams,
  });
  const stream = new LeadStream(source, options.execute, options.tuning);
  const ws = serveGraphqlWs({
    server: options.server,
    path: '/graphql',
    schema: apiSchema,
    stream,
    logger,
    maxPayloadBytes: options.maxPayloadBytes,
    authenticate: options.authenticate,
  });
  return { stats: stream.stats, close: () => ws.close() };
}
