import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadTypeDefs, type SubgraphModule } from '@cx/platform';
import { aliases } from './aliases/index.ts';
import { type Context, createContext } from './context.ts';
import { eventTables } from './db/schema.ts';
import { consumers } from './events/consumers.ts';
import { erasureConsumer } from './privacy/index.ts';
import { resolvers } from './resolvers/index.ts';

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const serviceSubgraph: SubgraphModule<Context> = {
  name: 'service',
  typeDefs: loadTypeDefs(packageDir),
  resolvers,
  migrationsFolder: path.join(packageDir, 'drizzle'),
  createContext,
  // Publishes closed repair orders, complaints and roadside cases; projects deliveries and owners.
  // Also keeps the customer alias map and erases on 'customer.erased'.
  events: { tables: eventTables, consumers: [...consumers, aliases.consumer, erasureConsumer] },
};

export * as schema from './db/schema.ts';
