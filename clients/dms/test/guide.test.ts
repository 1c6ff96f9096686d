import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../../scripts/lib/composition.ts';

const read = (...parts: string[]) => readFileSync(path.join(repoRoot, ...parts), 'utf8');
const tsFiles = (dir: string) =>
  readdirSync(path.join(repoRoot, dir))
    .filter((f) => f.endsWith('.ts'))
    .map((f) => read(dir, f));

/**
 * Codes passed to `fail([index,] field, CODE, ...)`, set as `code: CODE`, or given to badInput
 * as its reason.
 */
function codesIn(source: string): string[] {
  const patterns = [
    /fail\(\s*(?:[\w.]+,\s*)?(?:[\w.]+|'[^']*'|`[^`]*`),\s*'([A-Z][A-Z0-9_]+)'/g,
    /\bcode: '([A-Z][A-Z0-9_]+)'/g,
    /badInput\([^;]*?'([A-Z][A-Z0-9_]+)'\)/g,
  ];
  return patterns.flatMap((p) => [...source.matchAll(p)].map((m) => m[1]!));
}

describe('GUIDE.md', () => {
  const guide = read('clients', 'dms', 'GUIDE.md');

  it("lists every code the subgraphs' ingest code can return", () => {
    const sources = [
      ...tsFiles('subgraphs/customer/src/ingest'),
      ...tsFiles('subgraphs/vehicle/src/ingest'),
      read('subgraphs/vehicle/src/records.ts'),
      ...tsFiles('subgraphs/service/src/ingest'),
      ...tsFiles('packages/platform/src/domain'),
    ];
    const codes = new Set(sources.flatMap(codesIn));
    expect(codes.size).toBeGreaterThan(20);
    expect([...codes].filter((c) => !guide.includes(`\`${c}\``))).toEqual([]);
  });

  it('lists every code the kit itself reports', () => {
    const codes = new Set(tsFiles('clients/dms/src').flatMap(codesIn));
    expect(codes.size).toBeGreaterThan(10);
    expect([...codes].filter((c) => !guide.includes(`\`${c}\``))).toEqual([]);
  });
});
