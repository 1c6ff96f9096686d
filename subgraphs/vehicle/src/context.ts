import type { Db, Logger, SubgraphDeps } from '@cx/platform';
import { createLoaders, type Loaders } from './loaders.ts';

export interface Context {
  db: Db;
  logger: Logger;
  loaders: Loaders;
  /** The clock business rules read, injectable for tests. */
  now: () => Date;
  /** Wakes the outbox relay after a commit that may have written events. */
  kickRelay: () => void;
}

export function createContext(deps: SubgraphDeps): Context {
  return {
    db: deps.db,
    logger: deps.logger,
    loaders: createLoaders(deps.db),
    now: () => new Date(),
    kickRelay: deps.kickRelay,
  };
}
