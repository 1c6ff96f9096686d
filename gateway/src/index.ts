export { createUndiciFetcher, type UndiciFetcher, type UndiciFetcherOptions } from './fetcher.ts';
export {
  type GatewayContext,
  type GatewayOptions,
  type RunningGateway,
  type SubgraphStatus,
  startGateway,
} from './gateway.ts';
export type { LeadStreamStats, LeadStreamTuning } from './leadStream/index.ts';
export { createGatewaySecurity, type GatewaySecurity, type SecurityConfig } from './security.ts';
