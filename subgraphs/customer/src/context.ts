import type { Db, Logger, PiiCipher, SubgraphDeps } from '@cx/platform';
import { createLoaders, type Loaders } from './loaders.ts';

export interface Context {
  db: Db;
  pii: PiiCipher;
  logger: Logger;
  loaders: Loaders;
  /** Whether the caller may see unmasked personal information. Without auth, never. */
  piiScope: boolean;
  now: () => Date;
}

export function createContext(deps: SubgraphDeps): Context {
  return { ...deps, loaders: createLoaders(deps.db), piiScope: false, now: () => new Date() };
}
