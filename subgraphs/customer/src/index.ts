import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadTypeDefs, type SubgraphModule } from '@cx/platform';
import { type Context, createContext } from './context.ts';
import { eventTables } from './db/schema.ts';
import { erasureProgressConsumer } from './privacy/consumers.ts';
import { createConsumers } from './projections/consumers.ts';
import { resolvers } from './resolvers/index.ts';

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const customerSubgraph: SubgraphModule<Context> = {
  name: 'customer',
  typeDefs: loadTypeDefs(packageDir),
  resolvers,
  migrationsFolder: path.join(packageDir, 'drizzle'),
  createContext,
  // Publishes merges, unmerges, consent changes and erasures; projects facts and dealer
  // relationships; tracks each subgraph's erasure progress.
  events: { tables: eventTables, consumers: [...createConsumers(), erasureProgressConsumer] },
};

export * as schema from './db/schema.ts';
