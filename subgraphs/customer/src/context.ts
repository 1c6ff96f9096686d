import type { Db, Logger, PiiCipher, RequestInfo, SubgraphDeps, Viewer } from '@cx/platform';
import { createLoaders, type Loaders } from './loaders.ts';

export interface Context {
  db: Db;
  pii: PiiCipher;
  logger: Logger;
  loaders: Loaders;
  /** Wakes the outbox relay after a commit that wrote events (merges, unmerges, consent changes). */
  kickRelay: () => void;
  /** The verified caller (null in-process, without the gateway): decides row scope and masking. */
  viewer: Viewer | null;
  /** Who the ledgers (merges, consents, exports) name: the verified caller, or 'api' without auth. */
  actor: string;
  /** The clock every business rule reads (tag windows, ledger times), injectable for tests. */
  now: () => Date;
}

export function createContext(deps: SubgraphDeps, request?: RequestInfo): Context {
  return {
    ...deps,
    loaders: createLoaders(deps.db, request?.viewer ?? null),
    viewer: request?.viewer ?? null,
    actor: request?.viewer?.sub ?? 'api',
    now: () => new Date(),
  };
}
