import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  apiSchemaFrom,
  composeSupergraph,
  contractDir,
  supergraphPath,
  validateOperation,
} from './lib/composition.ts';

/**
 * `npm run compose` writes schema/supergraph.graphql. With --check it only compares, failing
 * on drift, and validates every contract operation against the composed API schema.
 */
const check = process.argv.includes('--check');
const composed = composeSupergraph();
const committed = existsSync(supergraphPath) ? readFileSync(supergraphPath, 'utf8') : '';

if (check) {
  if (committed !== composed) {
    console.error(
      'schema/supergraph.graphql differs from a fresh composition: run `npm run compose` and commit it.',
    );
    process.exit(1);
  }
  console.log('composition: committed supergraph matches a fresh composition');
} else {
  writeFileSync(supergraphPath, composed);
  console.log(`composition: wrote ${path.relative(process.cwd(), supergraphPath)}`);
}

const schema = apiSchemaFrom(composed);
let failures = 0;
const files = existsSync(contractDir) ? readdirSync(contractDir).filter((f) => f.endsWith('.graphql')) : [];
for (const file of files) {
  const errors = validateOperation(schema, readFileSync(path.join(contractDir, file), 'utf8'));
  for (const e of errors) console.error(`contract ${file}: ${e.message}`);
  failures += errors.length;
  if (errors.length === 0) console.log(`contract ${file}: valid`);
}
if (files.length === 0) console.warn(`contract: no operations found in ${contractDir}`);
if (failures > 0) process.exit(1);
