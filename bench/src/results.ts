import type { HookOutcome } from './hooks.ts';
import type { LoadResult } from './load.ts';
import type { MachineInfo } from './machine.ts';
import type { ProfileSummary } from './profile.ts';
import type { SeedReport } from './seedDemo.ts';
import type { GatewayKind } from './servers.ts';
import type { TargetResult } from './targets.ts';

/** Where a measured window's CPU went, in milliseconds per completed request. */
export interface CpuAttribution {
  gatewayMsPerRequest: number;
  /** Cores the gateway kept busy on average during the window. */
  gatewayCores: number;
  subgraphsMsPerRequest: number;
  loadGeneratorMsPerRequest: number;
  postgresMsPerRequest?: number;
  /** Machine-wide busy time not accounted for above: other work on the machine. */
  otherMsPerRequest?: number;
  gatewayRssMb: number;
}

export interface GatewayRun {
  kind: GatewayKind;
  label: string;
  load?: LoadResult;
  cpu?: CpuAttribution;
  /** Unloaded latency (one client), only measured for our gateway. */
  single?: LoadResult;
  startSeconds?: number;
  error?: string;
}

export interface SeqScanDelta {
  table: string;
  seqScans: number;
  rows: number;
}

export interface GrowthPoint {
  customers: number;
  database: string;
  loaded?: LoadResult;
  /** CPU per request over the loaded windows, by process. */
  cpu?: CpuAttribution;
  single?: LoadResult;
  seqScans?: SeqScanDelta[];
  error?: string;
}

export interface BenchResults {
  version: 1;
  startedAt: string;
  seconds: number;
  options: {
    customers: number;
    durationSeconds: number;
    warmupSeconds: number;
    concurrency: number;
    quick: boolean;
    seed: number;
    sampleIds: number;
    /** Connections per subgraph pool (and per floor pool), fitted to the server's free connections. */
    poolMax: number;
    profile: boolean;
  };
  machine: MachineInfo & { postgres?: string; sharedBuffersMb?: number; loadAverageEnd: number[] };
  dataset: { database: string; customers: number; seeded?: SeedReport };
  customer360: {
    gateways: GatewayRun[];
    /** Whether every gateway returned byte-identical data for the checked customers. */
    identical?: boolean;
    identicalChecked: number;
  };
  floor?: { load: LoadResult; matchesGateway: boolean; error?: string };
  growth: { small?: GrowthPoint; large?: GrowthPoint; note?: string };
  hooks: Record<string, HookOutcome>;
  /** Per gateway kind, plus `subgraphs`: the five subgraph processes added up. */
  profiles: Partial<Record<GatewayKind | 'subgraphs', ProfileSummary & { throughput?: number }>>;
  targets: TargetResult[];
}
