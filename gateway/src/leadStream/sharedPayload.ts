import { randomBytes } from 'node:crypto';
import type { ExecutionResult } from 'graphql';

/**
 * graphql-ws serialises every `next` message whole, so one event fanned out to a thousand
 * subscribers would cost a thousand JSON.stringify calls and UTF-8 encodings of the same payload.
 * A result shared by a group of subscribers (EventResults hands them one object) is serialised and
 * encoded once here instead. The `onNext` hook gives graphql-ws a stand-in whose toJSON() writes a
 * marker, and the transport's send (NextFrames) puts the stored bytes where the marker is.
 * graphql-ws stringifies and sends in one synchronous step, so the hand-over needs no map.
 */
// Random per process, so no string in a payload can pass for it.
const MARKER = `"@cx-shared-payload-${randomBytes(8).toString('hex')}@"`;

export class SharedPayload {
  constructor(readonly bytes: Buffer) {}

  toJSON(): string {
    handedOver = this;
    return MARKER.slice(1, -1);
  }
}

let handedOver: SharedPayload | null = null;
const serialised = new WeakMap<ExecutionResult, SharedPayload>();

/** The payload graphql-ws would write for `result` (errors in their toJSON form), serialised once per result object. */
export function sharedPayload(result: ExecutionResult): SharedPayload {
  let shared = serialised.get(result);
  if (!shared) {
    const { errors, ...rest } = result;
    const payload = errors ? { ...rest, errors: errors.map((e) => e.toJSON()) } : rest;
    shared = new SharedPayload(Buffer.from(JSON.stringify(payload)));
    serialised.set(result, shared);
  }
  return shared;
}

/** The message text graphql-ws stringified around a shared payload, split at the marker and encoded. */
interface Envelope {
  message: string;
  before: Buffer;
  after: Buffer;
}

/**
 * Builds, per connection, the WebSocket frames of the `next` messages that carry a shared payload.
 * graphql-ws writes the same text around the payload for every event of one subscription (its id,
 * the type and the marker), so the bytes around it are encoded once and reused while the text is
 * unchanged. Each frame is one buffer, header included, so the socket gets one write.
 */
export class NextFrames {
  private envelope: Envelope | null = null;

  /**
   * The whole frame (RFC 6455 server frame: FIN, text, unmasked, shortest length encoding) for a
   * message graphql-ws just stringified, or null when it carried no shared payload.
   */
  frame(message: string): Buffer | null {
    const shared = handedOver;
    handedOver = null;
    if (!shared) return null;
    const envelope = this.envelopeOf(message);
    if (!envelope) return null;
    return buildFrame(envelope.before, shared.bytes, envelope.after);
  }

  private envelopeOf(message: string): Envelope | null {
    if (this.envelope?.message === message) return this.envelope;
    const at = message.lastIndexOf(MARKER);
    if (at < 0) return null;
    this.envelope = {
      message,
      before: Buffer.from(message.slice(0, at)),
      after: Buffer.from(message.slice(at + MARKER.length)),
    };
    return this.envelope;
  }
}

/** The text graphql-ws writes around the payload of a `next` message for subscription `id`, encoded. */
export function nextEnvelope(id: string): { before: Buffer; after: Buffer } {
  return {
    before: Buffer.from(`{"id":${JSON.stringify(id)},"type":"next","payload":`),
    after: Buffer.from('}'),
  };
}

/** The whole WebSocket frame (RFC 6455 server frame: FIN, text, unmasked, shortest length encoding) of before + payload + after. */
export function buildFrame(before: Buffer, payload: Buffer, after: Buffer): Buffer {
  const length = before.length + payload.length + after.length;
  const header = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(header + length);
  frame[0] = 0x81;
  if (header === 2) frame[1] = length;
  else if (header === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(0, 2);
    frame.writeUInt32BE(length, 6);
  }
  frame.set(before, header);
  frame.set(payload, header + before.length);
  frame.set(after, header + before.length + payload.length);
  return frame;
}

/** A frame's payload without its header: for a connection whose frames ws has to build itself. */
export function frameBody(frame: Buffer): Buffer {
  const length = frame[1]! & 0x7f;
  return frame.subarray(length < 126 ? 2 : length === 126 ? 4 : 10);
}
