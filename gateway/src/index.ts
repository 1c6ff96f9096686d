export {
  createSubgraphAgent,
  type SubgraphFetchObserver,
  SubgraphHttpDataSource,
  type SubgraphHttpOptions,
} from './dataSource.ts';
export {
  type GatewayContext,
  type GatewayOptions,
  type RunningGateway,
  type SubgraphStatus,
  startGateway,
} from './gateway.ts';
export type { LeadStreamStats, LeadStreamTuning } from './leadStream/index.ts';
export { createGatewaySecurity, type GatewaySecurity, type SecurityConfig } from './security.ts';
