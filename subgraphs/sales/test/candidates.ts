import type { CandidateConsultant } from '../src/leads/assignment.ts';

/** An eligible, idle candidate for the pure assignment engine; `extra` overrides any field. */
export function consultant(
  id: string,
  dealerCode: string,
  extra: Partial<CandidateConsultant> = {},
): CandidateConsultant {
  return {
    id,
    dealerCode,
    skills: [],
    capacity: 10,
    active: true,
    openLeads: 0,
    lastAssignedAt: null,
    ...extra,
  };
}
