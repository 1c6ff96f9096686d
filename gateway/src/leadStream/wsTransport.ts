import type { IncomingMessage } from 'node:http';
import { CloseCode, handleProtocols, makeServer, type ServerOptions } from 'graphql-ws';
import type { Logger } from 'pino';
import type { WebSocket, WebSocketServer } from 'ws';
import { spliceSharedPayload } from './sharedPayload.ts';

/** What graphql-ws passes to hooks as `ctx.extra` (the same shape as its own `ws` integration). */
export interface WsExtra {
  socket: WebSocket;
  request: IncomingMessage;
}

export interface WsTransport {
  /** Closes every client with 1001 Going Away and stops the WebSocket server. */
  dispose(): Promise<void>;
}

/**
 * graphql-ws's protocol server (`makeServer`) on a `ws` server: the same wiring as graphql-ws's own
 * `useServer` for `ws` (sub-protocol check, keep-alive pings, internal-error closes), but with a
 * send of our own that writes the shared per-event payload bytes (sharedPayload.ts) instead of
 * every subscriber's own serialisation of them, and pino instead of console for internal errors.
 */
export function serveWsTransport(
  options: ServerOptions<Record<string, unknown> | undefined, WsExtra>,
  wss: WebSocketServer,
  logger: Logger,
  keepAliveMs = 12_000,
): WsTransport {
  const server = makeServer(options);
  wss.options.handleProtocols = handleProtocols;
  const internalError = (socket: WebSocket, error: unknown, what: string) => {
    logger.error({ err: error }, what);
    socket.close(CloseCode.InternalServerError, 'Internal server error');
  };
  wss.once('error', (error) => {
    logger.error({ err: error }, 'graphql-ws server error');
    for (const client of wss.clients) client.close(CloseCode.InternalServerError, 'Internal server error');
  });

  wss.on('connection', (socket, request) => {
    socket.once('error', (error) => internalError(socket, error, 'graphql-ws socket error'));
    // A peer that misses a pong for a whole keep-alive period is dropped.
    let pongWait: NodeJS.Timeout | null = null;
    const ping = setInterval(() => {
      if (socket.readyState !== socket.OPEN) return;
      pongWait = setTimeout(() => socket.terminate(), keepAliveMs);
      socket.once('pong', () => {
        if (pongWait) clearTimeout(pongWait);
        pongWait = null;
      });
      socket.ping();
    }, keepAliveMs);

    const closed = server.opened(
      {
        protocol: socket.protocol,
        send: (data) =>
          new Promise<void>((resolve, reject) => {
            const frame = spliceSharedPayload(data);
            if (socket.readyState !== socket.OPEN) return resolve();
            socket.send(frame, { binary: false }, (error) => (error ? reject(error) : resolve()));
          }),
        close: (code, reason) => socket.close(code, reason),
        onMessage: (handle) =>
          socket.on('message', async (message) => {
            try {
              await handle(String(message));
            } catch (error) {
              internalError(socket, error, 'graphql-ws message handling failed');
            }
          }),
      },
      { socket, request },
    );

    socket.once('close', (code, reason) => {
      if (pongWait) clearTimeout(pongWait);
      clearInterval(ping);
      void closed(code, String(reason));
    });
  });

  return {
    dispose: async () => {
      for (const client of wss.clients) client.close(1001, 'Going away');
      wss.removeAllListeners();
      await new Promise<void>((resolve, reject) => wss.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
