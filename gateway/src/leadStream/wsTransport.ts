import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { ExecutionResult } from 'graphql';
import { CloseCode, handleProtocols, makeServer, type ServerOptions } from 'graphql-ws';
import type { Logger } from 'pino';
import type { WebSocket, WebSocketServer } from 'ws';
import { buildFrame, frameBody, NextFrames, nextEnvelope, sharedPayload } from './sharedPayload.ts';

/** What graphql-ws passes to hooks as `ctx.extra` (the same shape as its own `ws` integration). */
export interface WsExtra {
  socket: WebSocket;
  request: IncomingMessage;
}

export interface WsTransport {
  /** Closes every client with 1001 Going Away and stops the WebSocket server. */
  dispose(): Promise<void>;
  /** How to write `next` messages of subscription `id` on `socket` past graphql-ws, or null where frames must go through ws. */
  directNext(socket: WebSocket, id: string): DirectNext | null;
}

/**
 * Writes the `next` message of one subscription for `result` straight to its socket, as graphql-ws
 * would have written it: undefined once handed to the kernel, a promise while it waits in the
 * socket's buffer (settled by its write callback), null when the connection is no longer open.
 */
export type DirectNext = (result: ExecutionResult) => Promise<void> | undefined | null;

/**
 * Whole frames written straight to a connection's TCP socket: the bytes ws.send would write,
 * without its separate header buffer, cork and writev. Only on connections without extensions
 * (the server offers no permessage-deflate): ws's sender then writes every frame of its own at
 * once, never later, so frames from both paths reach the socket in the order they were sent.
 */
export class DirectFrames {
  /** Frames written, and write callbacks come back, so far. */
  private written = 0;
  private done = 0;
  /** Writes still in the socket's buffer that someone waits for, by their number. */
  private readonly waiting: { frame: number; resolve: () => void; reject: (error: Error) => void }[] = [];
  private readonly frameDone = (error?: Error | null): void => {
    this.done += 1;
    if (this.waiting[0]?.frame !== this.done) return;
    const send = this.waiting.shift()!;
    if (error) send.reject(error);
    else send.resolve();
  };

  constructor(
    private readonly socket: WebSocket,
    private readonly tcp: Socket,
  ) {}

  write(frame: Buffer): Promise<void> | undefined | null {
    if (this.socket.readyState !== this.socket.OPEN) return null;
    this.written += 1;
    this.tcp.write(frame, this.frameDone);
    // Already handed to the kernel, as on any socket that keeps up: that write can no longer fail,
    // so nobody needs to wait for its callback.
    if (this.tcp.writableLength === 0 && !this.tcp.errored && !this.tcp.destroyed) return undefined;
    const frameNumber = this.written;
    return new Promise<void>((resolve, reject) => this.waiting.push({ frame: frameNumber, resolve, reject }));
  }
}

/**
 * graphql-ws's protocol server (`makeServer`) on a `ws` server: the same wiring as graphql-ws's own
 * `useServer` for `ws` (sub-protocol check, keep-alive pings, internal-error closes), but with a
 * send of our own that writes the shared per-event payload bytes (sharedPayload.ts) instead of
 * every subscriber's own serialisation of them, and pino instead of console for internal errors.
 *
 * A `next` frame with a shared payload is built whole (header included) and written straight to
 * the connection's TCP socket (DirectFrames), whether graphql-ws sends it or the lead stream
 * writes it past graphql-ws (directNext).
 */
export function serveWsTransport(
  options: ServerOptions<Record<string, unknown> | undefined, WsExtra>,
  wss: WebSocketServer,
  logger: Logger,
  keepAliveMs = 12_000,
): WsTransport {
  const server = makeServer(options);
  const writers = new WeakMap<WebSocket, DirectFrames>();
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

    const frames = new NextFrames();
    const writer = socket.extensions === '' ? new DirectFrames(socket, request.socket) : null;
    if (writer) writers.set(socket, writer);
    const closed = server.opened(
      {
        protocol: socket.protocol,
        send: (data) => {
          const frame = frames.frame(data);
          if (socket.readyState !== socket.OPEN) return;
          if (frame && writer) return writer.write(frame) ?? undefined;
          // Like ws.send's callback, settles once the frame is handed to the kernel (or failed).
          return new Promise<void>((resolve, reject) =>
            socket.send(frame ? frameBody(frame) : data, { binary: false }, (error) =>
              error ? reject(error) : resolve(),
            ),
          );
        },
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
    directNext: (socket, id) => {
      const writer = writers.get(socket);
      if (!writer) return null;
      const { before, after } = nextEnvelope(id);
      return (result) => writer.write(buildFrame(before, sharedPayload(result).bytes, after));
    },
    dispose: async () => {
      for (const client of wss.clients) client.close(1001, 'Going away');
      wss.removeAllListeners();
      await new Promise<void>((resolve, reject) => wss.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
