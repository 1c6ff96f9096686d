import { type ExecutionResult, GraphQLError } from 'graphql';
import { MessageType, stringifyMessage } from 'graphql-ws';
import { describe, expect, it } from 'vitest';
import { sharedPayload, spliceSharedPayload } from '../src/leadStream/sharedPayload.ts';

/** What graphql-ws's own `next` emit writes for a result (errors in their toJSON form). */
function graphqlWsNext(id: string, result: ExecutionResult): string {
  const { errors, ...rest } = result;
  return stringifyMessage({
    id,
    type: MessageType.Next,
    payload: { ...rest, ...(errors ? { errors: errors.map((e) => e.toJSON()) } : {}) },
  });
}

/** What our transport writes: graphql-ws stringifies the stand-in, send splices the shared bytes in. */
function spliced(id: string, result: ExecutionResult): string {
  const message = stringifyMessage({
    id,
    type: MessageType.Next,
    // The stand-in only has to survive JSON.stringify, which is all graphql-ws does with it.
    payload: sharedPayload(result) as unknown as Record<string, never>,
  });
  return String(spliceSharedPayload(message));
}

describe('shared payload frames', () => {
  const result = {
    data: { leadAssigned: { cursor: '42', lead: { id: 'L1', customer: { displayName: '王 "小" 明\n' } } } },
  };

  it('writes byte for byte what graphql-ws writes, for each subscriber id', () => {
    for (const id of ['1', 'b6f0c1a2-3', 'id "quoted"'])
      expect(spliced(id, result)).toBe(graphqlWsNext(id, result));
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
    expect(JSON.parse(spliced('9', withErrors))).toEqual(JSON.parse(graphqlWsNext('9', withErrors)));
  });

  it('leaves other messages as they are', () => {
    const complete = stringifyMessage({ id: '3', type: 'complete' } as Parameters<
      typeof stringifyMessage
    >[0]);
    expect(spliceSharedPayload(complete)).toBe(complete);
    // A payload that merely looks like the marker is not replaced.
    const lookalike = graphqlWsNext('4', { data: { x: '@cx-shared-payload-0@' } });
    expect(spliceSharedPayload(lookalike)).toBe(lookalike);
  });
});
