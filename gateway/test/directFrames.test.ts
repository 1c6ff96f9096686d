import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { buildFrame } from '../src/leadStream/sharedPayload.ts';
import { DirectFrames } from '../src/leadStream/wsTransport.ts';

/** A real ws server and client on loopback; the server side writes frames past ws with DirectFrames. */
async function connected() {
  const http = createServer();
  const wss = new WebSocketServer({ server: http });
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  const accepted = once(wss, 'connection') as Promise<[WebSocket, IncomingMessage]>;
  const client = new WebSocket(`ws://127.0.0.1:${(http.address() as AddressInfo).port}`);
  const received: string[] = [];
  client.on('message', (data) => received.push(String(data)));
  const [server, request] = await accepted;
  await once(client, 'open');
  const close = async () => {
    client.terminate();
    await new Promise((resolve) => wss.close(resolve));
    http.close();
  };
  return { client, server, writer: new DirectFrames(server, request.socket), received, close };
}

const frameOf = (text: string) => buildFrame(Buffer.from(text), Buffer.alloc(0), Buffer.alloc(0));

describe('frames written past ws', () => {
  it('arrive whole and in order among ws.send messages, with nothing to wait for on a reading client', async () => {
    const { server, writer, received, close } = await connected();
    try {
      expect(writer.write(frameOf('one'))).toBeUndefined();
      server.send('two');
      expect(writer.write(frameOf('three'))).toBeUndefined();
      await expect.poll(() => received).toEqual(['one', 'two', 'three']);
    } finally {
      await close();
    }
  });

  it('make the writer wait for the write callback while the client does not read, like ws.send', async () => {
    const { client, writer, received, close } = await connected();
    try {
      client.pause();
      const big = 'x'.repeat(1 << 20);
      let waiting: Promise<void> | undefined | null;
      let sent = 0;
      // Fill the kernel's buffers until a frame stays in the socket's own buffer.
      while (waiting === undefined && sent < 200) {
        waiting = writer.write(frameOf(`${sent} ${big}`));
        sent += 1;
      }
      expect(waiting).toBeInstanceOf(Promise);
      let written = false;
      void waiting!.then(() => {
        written = true;
      });
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(written).toBe(false);
      client.resume();
      await expect.poll(() => written, { timeout: 10_000 }).toBe(true);
      await expect.poll(() => received.length, { timeout: 10_000 }).toBe(sent);
      expect(received.map((m) => Number(m.slice(0, m.indexOf(' '))))).toEqual([...Array(sent).keys()]);
      expect(received.every((m) => m.endsWith(big))).toBe(true);
    } finally {
      await close();
    }
  });

  it('write nothing once the connection is closing', async () => {
    const { server, writer, close } = await connected();
    try {
      server.close(1001, 'Going away');
      expect(writer.write(frameOf('late'))).toBeNull();
    } finally {
      await close();
    }
  });
});
