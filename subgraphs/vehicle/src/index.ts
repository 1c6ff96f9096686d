import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadTypeDefs, type SubgraphModule } from '@cx/platform';
import { type Context, createContext } from './context.ts';
import { eventTables } from './db/schema.ts';
import { resolvers } from './resolvers/index.ts';

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const vehicleSubgraph: SubgraphModule<Context> = {
  name: 'vehicle',
  typeDefs: loadTypeDefs(packageDir),
  resolvers,
  migrationsFolder: path.join(packageDir, 'drizzle'),
  createContext,
  // Publishes ownership changes ('vehicle.ownership_changed'); consumes nothing yet.
  events: { tables: eventTables },
};

export * as schema from './db/schema.ts';
