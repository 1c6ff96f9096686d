import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadTypeDefs, type SubgraphModule } from '@cx/platform';
import { aliases } from './aliases/index.ts';
import { type Context, createContext } from './context.ts';
import { eventTables } from './db/schema.ts';
import { startLeadStream } from './onStart.ts';
import { erasureConsumer } from './privacy/index.ts';
import { resolvers } from './resolvers/index.ts';

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const typeDefs = loadTypeDefs(packageDir);

export interface SalesSubgraphOptions {
  /** The clock of every business rule and of the SLA sweeper; tests drive it. */
  now?: () => Date;
  /** How often the SLA sweeper polls for due timers. */
  slaPollMs?: number;
}

export function createSalesSubgraph(options: SalesSubgraphOptions = {}): SubgraphModule<Context> {
  const { now } = options;
  return {
    name: 'sales',
    typeDefs,
    resolvers,
    migrationsFolder: path.join(packageDir, 'drizzle'),
    createContext: now ? (deps, request) => ({ ...createContext(deps, request), now }) : createContext,
    // The outbox relay, the SLA sweeper and the graphql-ws `leadAssigned` stream on the HTTP port and path.
    onStart: (running, deps) =>
      startLeadStream(running, deps, { typeDefs, resolvers, sla: { now, pollMs: options.slaPollMs } }),
    // Publishes touchpoints ('sales.order_delivered', 'sales.test_drive_completed').
    // Keeps the customer alias map and erases on 'customer.erased' (aliases/, privacy/).
    events: { tables: eventTables, consumers: [aliases.consumer, erasureConsumer] },
  };
}

export const salesSubgraph: SubgraphModule<Context> = createSalesSubgraph();

export * as schema from './db/schema.ts';
export { slaCounts, slaEvents } from './sla/metrics.ts';
export { runSlaSweep, type SlaSweepResult } from './sla/sweep.ts';
