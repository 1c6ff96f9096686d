import type { LeadAssignedSubscription } from '@cx/web/generated/graphql';

type ContractEvent = LeadAssignedSubscription['leadAssigned'];

/** One `leadAssigned` event as the dashboard selects it: the contract's generated type plus `lead.createdAt`. */
export type LeadAssignedEvent = ContractEvent & { lead: ContractEvent['lead'] & { createdAt: string } };

export interface DealerNps {
  code: string;
  name: string;
  nps: { score: number | null; responses: number; lowConfidence: boolean };
}

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'failed';

/** Build-time constant: the contract's LeadAssigned document with `lead { createdAt }` added (see scripts/build.ts). */
declare global {
  const __LEAD_ASSIGNED_DOCUMENT__: string;
}
