import type { Server } from 'node:http';
import {
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type FormattedExecutionResult,
  GraphQLError,
  type GraphQLSchema,
  Kind,
  parse,
} from 'graphql';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import { planStream, validateStreamDocument } from './operation.ts';
import { type AuthenticateConnection, anonymousScope, type StreamScope, scopeOfConnection } from './scope.ts';
import { sharedPayload } from './sharedPayload.ts';
import type { LeadStream } from './stream.ts';
import { type DirectNext, serveWsTransport, type WsTransport } from './wsTransport.ts';

export interface GraphqlWsOptions {
  server: Server;
  path: string;
  /** The supergraph's API schema, built with this module's graphql instance. */
  schema: GraphQLSchema;
  stream: LeadStream;
  logger: Logger;
  maxPayloadBytes: number;
  /** How long close() lets clients answer the close handshake before dropping them. */
  closeGraceMs?: number;
  /** Verifies each connection's bearer token; a refused connection is closed with 4403. */
  authenticate?: AuthenticateConnection;
}

export interface GraphqlWsServer {
  close(): Promise<void>;
}

/** What one subscription executes with. A class, so `contextValue` can be checked at runtime. */
class SubscriptionContext {
  constructor(
    readonly scope: StreamScope,
    /** Writes this subscription's events to its socket past graphql-ws, when the connection allows. */
    readonly direct: DirectNext | null,
  ) {}
}

// Lexer tokens per document: far above any real dashboard subscription, far below a parser DoS.
const MAX_TOKENS = 5_000;

/**
 * graphql-ws on the gateway's own HTTP server and path. Syntax and validation errors come back as
 * graphql-ws `error` messages. They are produced by the `parse` and `validate` hooks rather than
 * onSubscribe because graphql-ws only accepts errors from onSubscribe that are instances of its
 * own graphql copy, and under vitest that copy differs from this module's.
 */
export function serveGraphqlWs(options: GraphqlWsOptions): GraphqlWsServer {
  const { schema, stream, logger } = options;
  const syntaxErrors = new WeakMap<DocumentNode, GraphQLError>();
  // The scope each socket authenticated with at connection_init.
  const scopes = new WeakMap<object, StreamScope>();
  const wss = new WebSocketServer({
    server: options.server,
    path: options.path,
    maxPayload: options.maxPayloadBytes,
  });

  const transport: WsTransport = serveWsTransport(
    {
      schema,
      parse: (source) => {
        try {
          return parse(source, { maxTokens: MAX_TOKENS });
        } catch (error) {
          if (!(error instanceof GraphQLError)) throw error;
          const empty: DocumentNode = { kind: Kind.DOCUMENT, definitions: [] };
          syntaxErrors.set(empty, error);
          return empty;
        }
      },
      validate: (s, document) => {
        const syntax = syntaxErrors.get(document);
        return syntax ? [syntax] : validateStreamDocument(s, document);
      },
      onConnect: async (ctx) => {
        try {
          scopes.set(
            ctx.extra.socket,
            await scopeOfConnection(ctx.connectionParams, ctx.extra.request, options.authenticate),
          );
          return true;
        } catch (error) {
          logger.info({ reason: (error as Error).message }, 'lead stream connection refused');
          return false;
        }
      },
      // graphql-ws asks for a context per subscription, with its id: what writing past it needs.
      context: (ctx, id) =>
        new SubscriptionContext(
          scopes.get(ctx.extra.socket) ?? anonymousScope,
          transport.directNext(ctx.extra.socket, id),
        ),
      subscribe: (args: ExecutionArgs): ExecutionResult | AsyncIterableIterator<ExecutionResult> => {
        const context = args.contextValue;
        if (!(context instanceof SubscriptionContext)) throw new Error('graphql-ws context was not set up');
        const plan = planStream(schema, args.document, args.operationName, args.variableValues);
        if ('errors' in plan) return plan;
        logger.debug({ after: plan.after, dealerCode: plan.dealerCode }, 'lead stream subscription');
        return stream.subscribe(plan, context.scope, context.direct);
      },
      // validate() admits subscriptions only, so this never runs; it keeps graphql-js' executor out.
      execute: () => ({ errors: [new GraphQLError('Only subscriptions are served over WebSocket.')] }),
      // Subscribers of one result group get the same result object: serialise it once for all of
      // them. The stand-in only ever reaches JSON.stringify, which calls its toJSON().
      onNext: (_ctx, _id, _payload, _args, result) =>
        sharedPayload(result) as unknown as FormattedExecutionResult,
    },
    wss,
    logger,
  );

  return {
    close: async () => {
      // Sends 1001 Going Away to every client; a peer that never answers is dropped after the grace period.
      const disposed = transport.dispose();
      const grace = setTimeout(() => {
        for (const client of wss.clients) client.terminate();
      }, options.closeGraceMs ?? 1_000);
      try {
        await disposed;
      } finally {
        clearTimeout(grace);
      }
      await stream.close();
    },
  };
}
