import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadTypeDefs, type SubgraphModule } from '@cx/platform';
import { aliases } from './aliases/index.ts';
import { type FeedbackConfig, feedbackRules } from './config.ts';
import { createConsumers } from './consumers.ts';
import { type Context, createContext } from './context.ts';
import { eventTables } from './db/schema.ts';
import { startTokenScrubber } from './onStart.ts';
import { erasureConsumer } from './privacy/index.ts';
import { resolvers } from './resolvers/index.ts';

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const typeDefs = loadTypeDefs(packageDir);

export interface FeedbackSubgraphOptions {
  /** The clock of every business rule (invitation expiry, fatigue window, periods). */
  now?: () => Date;
  config?: Partial<FeedbackConfig>;
}

export function createFeedbackSubgraph(options: FeedbackSubgraphOptions = {}): SubgraphModule<Context> {
  const rules = feedbackRules(options);
  return {
    name: 'feedback',
    typeDefs,
    resolvers,
    migrationsFolder: path.join(packageDir, 'drizzle'),
    createContext: (deps, request) => createContext(deps, rules, request.viewer),
    events: {
      tables: eventTables,
      // Also keeps the customer alias map and erases on 'customer.erased'.
      consumers: [...createConsumers(rules), aliases.consumer, erasureConsumer],
    },
    onStart: (_running, deps) => startTokenScrubber(deps),
  };
}

export const feedbackSubgraph = createFeedbackSubgraph();

export { defaultFeedbackConfig, type FeedbackConfig } from './config.ts';
export { createConsumers } from './consumers.ts';
export * as schema from './db/schema.ts';
export { dealerLeagueTable, feedbackScores } from './scores/feedbackScores.ts';
