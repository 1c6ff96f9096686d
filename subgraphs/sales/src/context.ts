import type { Db, Logger, SubgraphDeps } from '@cx/platform';
import { createLoaders, type Loaders } from './loaders.ts';
import { type OutboxHub, outboxHubFor } from './outbox/hub.ts';

export interface Context {
  db: Db;
  logger: Logger;
  /** Per request; a subscription replaces it per page of events so it never goes stale. */
  loaders: Loaders;
  /** The clock every business rule reads, injectable for tests. */
  now: () => Date;
  outbox: OutboxHub;
}

export function createContext(deps: SubgraphDeps): Context {
  return {
    db: deps.db,
    logger: deps.logger,
    loaders: createLoaders(deps.db),
    now: () => new Date(),
    outbox: outboxHubFor(deps.db),
  };
}
