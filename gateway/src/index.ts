export { createUndiciFetcher, type UndiciFetcher, type UndiciFetcherOptions } from './fetcher.ts';
export {
  type GatewayContext,
  type GatewayOptions,
  type RunningGateway,
  type SubgraphStatus,
  startGateway,
} from './gateway.ts';
export type { LeadStreamStats, LeadStreamTuning } from './leadStream/index.ts';
