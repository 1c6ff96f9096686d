import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadTypeDefs, type SubgraphModule } from '@cx/platform';
import { type Context, createContext } from './context.ts';
import { startLeadStream } from './onStart.ts';
import { resolvers } from './resolvers/index.ts';

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const typeDefs = loadTypeDefs(packageDir);

export const salesSubgraph: SubgraphModule<Context> = {
  name: 'sales',
  typeDefs,
  resolvers,
  migrationsFolder: path.join(packageDir, 'drizzle'),
  createContext,
  // The outbox relay and the graphql-ws `leadAssigned` stream on the same port and path as HTTP.
  onStart: (running, deps) => startLeadStream(running, deps, { typeDefs, resolvers }),
};

export * as schema from './db/schema.ts';
