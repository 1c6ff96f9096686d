import { randomBytes } from 'node:crypto';
import type { ExecutionResult } from 'graphql';

/**
 * graphql-ws serialises every `next` message whole, so one event fanned out to a thousand
 * subscribers would cost a thousand JSON.stringify calls and UTF-8 encodings of the same payload.
 * A result shared by a group of subscribers (EventResults hands them one object) is serialised and
 * encoded once here instead. The `onNext` hook gives graphql-ws a stand-in whose toJSON() writes a
 * marker, and the transport's send (spliceSharedPayload) puts the stored bytes where the marker is.
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

/** The frame to send for a message graphql-ws just stringified: with the shared bytes spliced in, if it carried a stand-in. */
export function spliceSharedPayload(message: string): string | Buffer {
  const shared = handedOver;
  handedOver = null;
  if (!shared) return message;
  const at = message.lastIndexOf(MARKER);
  if (at < 0) return message;
  return Buffer.concat([
    Buffer.from(message.slice(0, at)),
    shared.bytes,
    Buffer.from(message.slice(at + MARKER.length)),
  ]);
}
