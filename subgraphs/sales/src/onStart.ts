import { buildSubgraphSchema } from '@apollo/subgraph';
import {
  type DatabaseHandle,
  INTERNAL_AUTH_HEADER,
  type Logger,
  type PiiCipher,
  type ResolverMap,
  type RunningServer,
  verifyInternalAuth,
} from '@cx/platform';
import type { Metrics } from '@cx/platform/telemetry/metrics';
import type { DocumentNode } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { type Context, createContext } from './context.ts';
import { outboxHubFor } from './outbox/hub.ts';
import { startOutboxRelay } from './outbox/relay.ts';
import { OUTBOX_CHANNEL } from './repositories/outbox.ts';
import { startSlaSweeper } from './sla/sweeper.ts';
import { observeSales } from './telemetry.ts';

export interface LeadStreamOptions {
  typeDefs: DocumentNode;
  resolvers: ResolverMap<Context>;
  /** How often the relay polls for rows nobody kicked (e.g. written just before a crash). */
  relayPollMs?: number;
  /** The SLA sweeper's clock and poll interval (sla/sweeper.ts). */
  sla?: { now?: () => Date; pollMs?: number };
}

/**
 * Background work of the sales subgraph: the outbox relay, LISTEN for positions assigned by other
 * processes, the SLA sweeper, and graphql-ws on the HTTP server's own port and path, serving
 * `leadAssigned`.
 */
export async function startLeadStream(
  running: RunningServer,
  deps: {
    database: DatabaseHandle;
    logger: Logger;
    pii: PiiCipher;
    kickRelay: () => void;
    internalAuthSecret?: string;
    /** The server's registry: lead-stream outbox lag and SLA breaches go on it. */
    metrics?: Metrics;
  },
  options: LeadStreamOptions,
): Promise<() => Promise<void>> {
  const { db } = deps.database;
  const logger = deps.logger.child({ component: 'lead-stream' });
  const hub = outboxHubFor(db);
  const relay = startOutboxRelay(db, hub, logger, { pollMs: options.relayPollMs });
  const unlisten = await deps.database.listen(OUTBOX_CHANNEL, (payload) => hub.advance(Number(payload)));
  const unobserve = deps.metrics ? observeSales(deps.metrics, db) : undefined;
  const sla = startSlaSweeper(db, deps.logger.child({ component: 'sla' }), {
    ...options.sla,
    // Reassignments wrote stream events: position them now rather than at the relay's next poll.
    onReassigned: () => hub.written(),
  });

  const schema = buildSubgraphSchema({
    typeDefs: options.typeDefs,
    resolvers: options.resolvers as ResolverMap<unknown>,
  });
  const wss = new WebSocketServer({ server: running.server, path: '/graphql' });
  const ws = useServer(
    {
      schema,
      // Like HTTP calls, the stream is open only to the gateway: its signed header rides in connection_init.
      onConnect: (ctx) => {
        if (!deps.internalAuthSecret) return true;
        const header = ctx.connectionParams?.[INTERNAL_AUTH_HEADER];
        return (
          verifyInternalAuth(typeof header === 'string' ? header : undefined, deps.internalAuthSecret) !==
          null
        );
      },
      // One context per operation; a subscription renews its loaders per page (resolvers/Subscription.ts).
      context: () => createContext({ db, logger, pii: deps.pii, kickRelay: deps.kickRelay }),
    },
    wss,
  );

  return async () => {
    unobserve?.();
    await ws.dispose();
    // Closing sent 1001 to every client; do not let a silent peer hold the HTTP server open.
    for (const client of wss.clients) client.terminate();
    await sla.stop();
    await relay.stop();
    await unlisten();
  };
}
