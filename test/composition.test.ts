import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  apiSchemaFrom,
  composeSupergraph,
  contractDir,
  supergraphPath,
  validateOperation,
} from '../scripts/lib/composition.ts';

describe('the committed supergraph', () => {
  const composed = composeSupergraph();

  it('matches a fresh composition of supergraph.yaml (no drift)', () => {
    expect(readFileSync(supergraphPath, 'utf8')).toBe(composed);
  });

  it('validates every contract operation', () => {
    const schema = apiSchemaFrom(composed);
    const files = readdirSync(contractDir).filter((f) => f.endsWith('.graphql'));
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const file of files) {
      const errors = validateOperation(schema, readFileSync(path.join(contractDir, file), 'utf8'));
      expect(errors.map((e) => `${file}: ${e.message}`)).toEqual([]);
    }
  });

  it('rejects an operation whose root type does not exist', () => {
    const schema = apiSchemaFrom(composed);
    expect(validateOperation(schema, 'subscription X { nothingHere }').length).toBeGreaterThan(0);
  });
});
