import { createRequire } from 'node:module';
import { type ExecutionResult, GraphQLError } from 'graphql';
import { MessageType, stringifyMessage } from 'graphql-ws';
import { describe, expect, it } from 'vitest';
import {
  buildFrame,
  frameBody,
  NextFrames,
  nextEnvelope,
  sharedPayload,
} from '../src/leadStream/sharedPayload.ts';

/** ws's framing (its Sender, which @types/ws does not declare): what ws.send writes for a server text message. */
const { Sender } = createRequire(import.meta.url)('ws') as {
  Sender: {
    frame(
      data: Buffer,
      options: { fin: boolean; opcode: number; mask: boolean; readOnly: boolean },
    ): Buffer[];
  };
};
const wsFrame = (text: string): Buffer =>
  Buffer.concat(Sender.frame(Buffer.from(text), { fin: true, opcode: 1, mask: false, readOnly: false }));

/** What graphql-ws's own `next` emit writes for a result (errors in their toJSON form). */
function graphqlWsNext(id: string, result: ExecutionResult): string {
  const { errors, ...rest } = result;
  return stringifyMessage({
    id,
    type: MessageType.Next,
    payload: { ...rest, ...(errors ? { errors: errors.map((e) => e.toJSON()) } : {}) },
  });
}

/** What graphql-ws stringifies when onNext hands it the stand-in. */
function standIn(id: string, result: ExecutionResult): string {
  return stringifyMessage({
    id,
    type: MessageType.Next,
    // The stand-in only has to survive JSON.stringify, which is all graphql-ws does with it.
    payload: sharedPayload(result) as unknown as Record<string, never>,
  });
}

/** What our transport writes to the socket for one subscriber's `next`. */
function framed(frames: NextFrames, id: string, result: ExecutionResult): Buffer | null {
  return frames.frame(standIn(id, result));
}

describe('shared payload frames', () => {
  const result = {
    data: { leadAssigned: { cursor: '42', lead: { id: 'L1', customer: { displayName: '王 "小" 明\n' } } } },
  };

  it('writes byte for byte the frame ws writes for what graphql-ws writes, for each subscriber id', () => {
    const frames = new NextFrames();
    for (const id of ['1', 'b6f0c1a2-3', 'id "quoted"', 'b6f0c1a2-3'])
      expect(framed(frames, id, result)).toEqual(wsFrame(graphqlWsNext(id, result)));
  });

  it('writes the same frame past graphql-ws as through it', () => {
    for (const id of ['1', 'b6f0c1a2-3', 'id "quoted" \u2028 é']) {
      const { before, after } = nextEnvelope(id);
      expect(buildFrame(before, sharedPayload(result).bytes, after)).toEqual(
        wsFrame(graphqlWsNext(id, result)),
      );
    }
  });

  it('encodes the frame length as ws does at every size boundary', () => {
    const frames = new NextFrames();
    // The frame text is the payload plus the envelope around it; sizes straddle 125/126 and 65535/65536.
    const envelope = graphqlWsNext('7', { data: { s: '' } }).length;
    for (const size of [0, 125, 126, 127, 65_535, 65_536, 70_000]) {
      for (const delta of [-1, 0, 1]) {
        const length = Math.max(0, size - envelope + delta);
        const big = { data: { s: 'x'.repeat(length) } };
        const frame = framed(frames, '7', big);
        // Buffer.equals: a deep toEqual over 70 kB is slow.
        expect(frame?.equals(wsFrame(graphqlWsNext('7', big)))).toBe(true);
        expect(frameBody(frame!).toString()).toBe(graphqlWsNext('7', big));
      }
    }
  });

  it('serialises one result once, however many subscribers get it', () => {
    expect(sharedPayload(result)).toBe(sharedPayload(result));
    expect(sharedPayload({ ...result })).not.toBe(sharedPayload(result));
  });

  it('keeps errors in their formatted form', () => {
    const withErrors = {
      data: null,
      errors: [
        new GraphQLError('Lead assignment 7 could not be resolved.', {
          path: ['leadAssigned'],
          extensions: { code: 'NOT_FOUND' },
        }),
      ],
    };
    const frame = framed(new NextFrames(), '9', withErrors);
    expect(JSON.parse(frameBody(frame!).toString())).toEqual(JSON.parse(graphqlWsNext('9', withErrors)));
  });

  it('leaves other messages to ws', () => {
    const frames = new NextFrames();
    const complete = stringifyMessage({ id: '3', type: 'complete' } as Parameters<
      typeof stringifyMessage
    >[0]);
    expect(frames.frame(complete)).toBeNull();
    // A payload that merely looks like the marker is not replaced.
    const lookalike = graphqlWsNext('4', { data: { x: '@cx-shared-payload-0@' } });
    expect(frames.frame(lookalike)).toBeNull();
    // A stand-in is used once: the next message without one is not framed with its bytes.
    standIn('5', result);
    expect(frames.frame(complete)).toBeNull();
    expect(frames.frame(complete)).toBeNull();
  });
});
