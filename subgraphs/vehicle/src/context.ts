import type { Db, Logger, RequestInfo, SubgraphDeps, Viewer } from '@cx/platform';
import { createLoaders, type Loaders } from './loaders.ts';

export interface Context {
  db: Db;
  logger: Logger;
  loaders: Loaders;
  /** The clock business rules read, injectable for tests. */
  now: () => Date;
  /** Wakes the outbox relay after a commit that may have written events. */
  kickRelay: () => void;
  /** The verified caller (null in-process): the PIPL export checks it. */
  viewer: Viewer | null;
}

export function createContext(deps: SubgraphDeps, request?: Pick<RequestInfo, 'viewer'>): Context {
  return {
    db: deps.db,
    logger: deps.logger,
    loaders: createLoaders(deps.db),
    now: () => new Date(),
    kickRelay: deps.kickRelay,
    viewer: request?.viewer ?? null,
  };
}
