import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildSchema, getVariableValues, type OperationDefinitionNode, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { variablesAcceptable } from '../src/variableCheck.ts';

const root = path.resolve(import.meta.dirname, '../..');
const schema = buildSchema(readFileSync(path.join(root, 'schema/supergraph.graphql'), 'utf8'));

const definitionsOf = (document: string, name: string) => {
  const operation = parse(document).definitions.find(
    (d): d is OperationDefinitionNode => d.kind === 'OperationDefinition' && d.name?.value === name,
  );
  if (!operation) throw new Error(`no operation ${name}`);
  return operation.variableDefinitions ?? [];
};

const contract = readFileSync(path.resolve(root, '../shared/contract/dmsIngest.graphql'), 'utf8');
const ingest = definitionsOf(contract, 'IngestCustomers');
const withDefault = definitionsOf('query Search($first: Int = 10, $after: String) { __typename }', 'Search');

const record = (overrides: Record<string, unknown> = {}) => ({
  source: 'DMS',
  externalId: 'D-1',
  name: 'Li Lei',
  phone: '13800000000',
  phoneVerified: true,
  nationalId: null,
  observedAt: '2026-11-24T00:00:00Z',
  consents: [{ purpose: 'MARKETING_SMS', granted: true }],
  ...overrides,
});

const { name: _name, ...nameless } = record();

/** Valid and invalid variables, each judged by graphql-js itself below. */
const cases: [string, Record<string, unknown>][] = [
  ['a valid batch', { input: { records: [record(), record({ externalId: 'D-2', source: 'APP' })] } }],
  ['an empty batch', { input: { records: [] } }],
  ['nullable fields left out', { input: { records: [{ source: 'DMS', externalId: 'x', name: 'y' }] } }],
  ['a single record instead of a list', { input: { records: record() } }],
  [
    'a single consent instead of a list',
    { input: { records: [record({ consents: { purpose: 'MARKETING_SMS', granted: false } })] } },
  ],
  ['consents null', { input: { records: [record({ consents: null })] } }],
  ['no input', {}],
  ['input null', { input: null }],
  ['records null', { input: { records: null } }],
  ['a null record', { input: { records: [record(), null] } }],
  ['an unknown source', { input: { records: [record({ source: 'FAX' })] } }],
  ['a lower-case enum', { input: { records: [record({ source: 'dms' })] } }],
  ['a number for a string', { input: { records: [record({ phone: 13800000000 })] } }],
  ['a string for a boolean', { input: { records: [record({ phoneVerified: 'yes' })] } }],
  ['a missing required field', { input: { records: [nameless] } }],
  ['an unknown field', { input: { records: [record({ nickname: 'x' })] } }],
  ['an unknown field on the input', { input: { records: [], extra: 1 } }],
  [
    'a consent without granted',
    { input: { records: [record({ consents: [{ purpose: 'MARKETING_SMS' }] })] } },
  ],
  [
    'a consent with an unknown purpose',
    { input: { records: [record({ consents: [{ purpose: 'X', granted: true }] })] } },
  ],
  ['a null consent', { input: { records: [record({ consents: [null] })] } }],
  ['a record that is an array', { input: { records: [[record()]] } }],
  ['a record that is a string', { input: { records: ['record'] } }],
  ['input a string', { input: 'records' }],
  ['an object for a string', { input: { records: [record({ name: { first: 'Li' } })] } }],
];

describe('gateway variable check', () => {
  it.each(cases)('agrees with graphql-js on %s', (_label, variables) => {
    const graphqlJs = getVariableValues(schema, ingest, variables);
    expect(variablesAcceptable(schema, ingest, variables)).toBe(graphqlJs.errors === undefined);
  });

  it('accepts missing variables that have a default or are nullable, and refuses wrong types', () => {
    for (const variables of [{}, { first: 5 }, { first: 5, after: 'abc' }, { first: '5' }, { first: 1.5 }]) {
      const graphqlJs = getVariableValues(schema, withDefault, variables);
      expect(variablesAcceptable(schema, withDefault, variables)).toBe(graphqlJs.errors === undefined);
    }
    expect(variablesAcceptable(schema, withDefault, { first: '5' })).toBe(false);
  });

  it('accepts a full 1,000-record batch as graphql-js does', () => {
    const variables = {
      input: { records: Array.from({ length: 1000 }, (_, i) => record({ externalId: `D-${i}` })) },
    };
    expect(getVariableValues(schema, ingest, variables).errors).toBeUndefined();
    expect(variablesAcceptable(schema, ingest, variables)).toBe(true);
  });
});
