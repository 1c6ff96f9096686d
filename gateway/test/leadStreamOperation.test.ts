import { buildSchema, parse, print } from 'graphql';
import { describe, expect, it } from 'vitest';
import { planStream, type StreamPlan, validateStreamDocument } from '../src/leadStream/operation.ts';

const schema = buildSchema(`
  type Query { leadAssignment(id: ID!): LeadAssignmentEvent }
  type Mutation { touch: Boolean }
  type Subscription {
    leadAssigned(dealerCode: String, after: String): LeadAssignmentEvent!
    other: Boolean
  }
  type LeadAssignmentEvent { cursor: String! reason: String! lead: Lead! }
  type Lead { id: ID! customer: Customer! }
  type Customer { id: ID! displayName: String! vehicles(first: Int): [Vehicle!]! }
  type Vehicle { vin: String! }
`);

function plan(source: string, variables: Record<string, unknown> = {}, operationName?: string): StreamPlan {
  const result = planStream(schema, parse(source), operationName, variables);
  if ('errors' in result) throw new Error(result.errors.map((e) => e.message).join('; '));
  return result;
}

const normalized = (source: string) => print(parse(source));

describe('planStream', () => {
  it('turns the subscription into a query by event id under the same response key', () => {
    const p = plan(
      'subscription S($dealerCode: String, $after: String) { leadAssigned(dealerCode: $dealerCode, after: $after) { cursor lead { id } } }',
      { dealerCode: 'bj001', after: '7' },
    );
    expect(p.query).toBe(
      normalized(
        'query S($leadAssignmentId: ID!) { leadAssigned: leadAssignment(id: $leadAssignmentId) { cursor lead { id } } }',
      ),
    );
    expect(p).toMatchObject({ responseKey: 'leadAssigned', variables: {}, dealerCode: 'bj001', after: '7' });
  });

  it('keeps aliases, the fragments used (transitively) and the variables the selection uses', () => {
    const p = plan(
      `subscription ($after: String, $n: Int, $leadAssignmentId: String, $withId: Boolean!) {
         ... on Subscription { feed: leadAssigned(after: $after, dealerCode: $leadAssignmentId) { ...E } }
       }
       fragment E on LeadAssignmentEvent { c: cursor lead { id @include(if: $withId) customer { ...C } } }
       fragment C on Customer { displayName vehicles(first: $n) { vin } }
       fragment Unused on Vehicle { vin }`,
      { after: '0', n: 2, withId: true, leadAssignmentId: null },
    );
    expect(p.responseKey).toBe('feed');
    expect(p.idVariable).toBe('leadAssignmentId2');
    expect(p.query).toBe(
      normalized(`query ($leadAssignmentId2: ID!, $n: Int, $withId: Boolean!) {
         feed: leadAssignment(id: $leadAssignmentId2) { ...E }
       }
       fragment E on LeadAssignmentEvent { c: cursor lead { id @include(if: $withId) customer { ...C } } }
       fragment C on Customer { displayName vehicles(first: $n) { vin } }`),
    );
    expect(p.variables).toEqual({ n: 2, withId: true });
    expect(p.after).toBe('0');
  });

  it('merges repeated root fields of one response key and picks the named operation', () => {
    const p = plan(
      `query Q { leadAssignment(id: "1") { cursor } }
       subscription Two { leadAssigned { cursor } leadAssigned { reason } }`,
      {},
      'Two',
    );
    expect(p.query).toBe(
      normalized(
        'query Two($leadAssignmentId: ID!) { leadAssigned: leadAssignment(id: $leadAssignmentId) { cursor reason } }',
      ),
    );
    expect(p).toMatchObject({ dealerCode: null, after: null });
  });

  it('gives one key per (query, variables) and reports bad variables', () => {
    const source =
      'subscription ($n: Int) { leadAssigned { lead { customer { vehicles(first: $n) { vin } } } } }';
    expect(plan(source, { n: 1 }).key).toBe(plan(source, { n: 1 }).key);
    expect(plan(source, { n: 1 }).key).not.toBe(plan(source, { n: 2 }).key);
    const bad = planStream(schema, parse(source), undefined, { n: 'many' });
    expect('errors' in bad && bad.errors[0]?.message).toMatch(/\$n/);
  });
});

describe('validateStreamDocument', () => {
  const messages = (source: string) => validateStreamDocument(schema, parse(source)).map((e) => e.message);

  it('accepts leadAssigned subscriptions only', () => {
    expect(messages('subscription { leadAssigned { cursor } }')).toEqual([]);
    expect(messages('subscription { other }')).toEqual([
      'Subscription field "other" is not served; use leadAssigned.',
    ]);
    expect(messages('{ leadAssignment(id: "1") { cursor } }')[0]).toMatch(/Only subscriptions/);
    expect(messages('mutation { touch }')[0]).toMatch(/send mutation operations to \/graphql over HTTP/);
  });

  it('reports schema errors at the client document locations', () => {
    const [error] = validateStreamDocument(schema, parse('subscription {\n  leadAssigned { nope } }'));
    expect(error?.message).toMatch(/Cannot query field "nope"/);
    expect(error?.locations).toEqual([{ line: 2, column: 18 }]);
  });
});
