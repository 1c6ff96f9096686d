import type { Db, Logger, RequestInfo, SubgraphDeps, Viewer } from '@cx/platform';
import { createLoaders, type Loaders } from './loaders.ts';
import type { Attribution } from './userErrors.ts';

/** Attributed to an in-process caller that came without the gateway's verified claims. */
export const SYSTEM_ACTOR = 'system';

export function actorOf(viewer: Viewer | null): string {
  return viewer ? `${viewer.role}:${viewer.sub}` : SYSTEM_ACTOR;
}

export interface Context {
  db: Db;
  logger: Logger;
  loaders: Loaders;
  /** The clock every business rule reads, injectable for tests. */
  now: () => Date;
  /** The verified caller (null in-process, without the gateway). */
  viewer: Viewer | null;
  /** Who is acting: recorded on every step (timelines, complaint and reminder history). */
  actor: string;
  /** Wakes the outbox relay after a commit that may have written events. */
  kickRelay: () => void;
}

export function createContext(deps: SubgraphDeps, request: RequestInfo): Context {
  return {
    db: deps.db,
    logger: deps.logger,
    loaders: createLoaders(deps.db, request.viewer),
    now: () => new Date(),
    viewer: request.viewer,
    actor: actorOf(request.viewer),
    kickRelay: deps.kickRelay,
  };
}

/** The actor and instant of one step, read once so that a step carries a single timestamp. */
export function stepBy(ctx: Context): Attribution {
  return { now: ctx.now(), actor: ctx.actor };
}
