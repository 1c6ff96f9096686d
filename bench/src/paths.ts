import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Locations the bench reads and writes, resolved from this file so any cwd works. */
export const benchRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const repoRoot = path.resolve(benchRoot, '..');
export const supergraphFile = path.join(repoRoot, 'schema', 'supergraph.graphql');
export const contractDir = path.resolve(repoRoot, '..', 'shared', 'contract');
export const resultsDir = path.join(benchRoot, 'results');
export const gatewayEntry = path.join(repoRoot, 'gateway', 'src', 'main.ts');
export const subgraphEntry = (name: string) => path.join(repoRoot, 'subgraphs', name, 'src', 'main.ts');
export const procEntry = (name: string) => path.join(benchRoot, 'src', 'procs', `${name}.ts`);
