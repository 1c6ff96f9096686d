import { readFileSync } from 'node:fs';
import path from 'node:path';
import { contractDir } from '../../scripts/lib/composition.ts';

export function contractOperation(file: string): string {
  return readFileSync(path.join(contractDir, file), 'utf8');
}
