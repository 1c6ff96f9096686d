import type { Db, Logger, RequestInfo, SubgraphDeps, Viewer } from '@cx/platform';
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
  /** Wakes the domain-event relay after a commit that published events (it also polls). */
  kickRelay: () => void;
  /** The verified caller (null in-process, without the gateway): decides row scope. */
  viewer: Viewer | null;
}

export function createContext(deps: SubgraphDeps, request?: Pick<RequestInfo, 'viewer'>): Context {
  const viewer = request?.viewer ?? null;
  return {
    db: deps.db,
    logger: deps.logger,
    loaders: createLoaders(deps.db, viewer),
    now: () => new Date(),
    outbox: outboxHubFor(deps.db),
    kickRelay: deps.kickRelay,
    viewer,
  };
}
