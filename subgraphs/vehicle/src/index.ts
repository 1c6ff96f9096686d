import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadTypeDefs, type SubgraphModule } from '@cx/platform';
import { type Context, createContext } from './context.ts';
import { resolvers } from './resolvers/index.ts';

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const vehicleSubgraph: SubgraphModule<Context> = {
  name: 'vehicle',
  typeDefs: loadTypeDefs(packageDir),
  resolvers,
  migrationsFolder: path.join(packageDir, 'drizzle'),
  createContext,
};

export * as schema from './db/schema.ts';
