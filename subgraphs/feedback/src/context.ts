import type { Db, Logger, SubgraphDeps, Viewer } from '@cx/platform';
import type { FeedbackConfig, FeedbackRules } from './config.ts';
import { createLoaders, type Loaders } from './loaders.ts';

export interface Context {
  db: Db;
  logger: Logger;
  loaders: Loaders;
  /** The clock every business rule reads, injectable for tests. */
  now: () => Date;
  config: FeedbackConfig;
  /** Wakes the outbox relay after a commit that wrote events. */
  kickRelay: () => void;
  /** The verified caller (null in-process): the PIPL export checks it. */
  viewer: Viewer | null;
}

export function createContext(
  deps: SubgraphDeps,
  rules: FeedbackRules,
  viewer: Viewer | null = null,
): Context {
  return {
    db: deps.db,
    logger: deps.logger,
    loaders: createLoaders(deps.db, viewer),
    now: rules.now,
    config: rules.config,
    kickRelay: deps.kickRelay,
    viewer,
  };
}

/** The rules as one request sees them (tests may swap `now` on the context). */
export const rulesOf = (ctx: Context): FeedbackRules => ({ now: ctx.now, config: ctx.config });
