import type { Db, Logger, SubgraphDeps } from '@cx/platform';
import { createLoaders, type Loaders } from './loaders.ts';

export interface Context {
  db: Db;
  logger: Logger;
  loaders: Loaders;
  now: () => Date;
}

export function createContext(deps: SubgraphDeps): Context {
  return { db: deps.db, logger: deps.logger, loaders: createLoaders(deps.db), now: () => new Date() };
}
