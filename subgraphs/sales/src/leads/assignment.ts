/**
 * The assignment engine: a pure decision over candidates loaded in bulk (repositories/assignments.ts),
 * so the rules are testable without a database and the transaction stays short.
 *
 * 1. Dealer rule, first that yields an eligible consultant wins (a full or unskilled preferred
 *    dealer falls through, because an unassigned lead misses the 1-minute speed-to-lead SLA):
 *    PREFERRED_DEALER (the customer's choice, if that dealer exists), then CITY_DEALER (dealers in
 *    the lead's city), then REGIONAL_POOL (every dealer in the regions of those dealers).
 * 2. Eligible consultants: active, trained on the model's brand (or no skills recorded, meaning
 *    "sells everything"), and below capacity in open leads.
 * 3. Working hours: a rule whose eligible consultants are all off hours is skipped, and the reason
 *    says so (`/OFF_HOURS_SKIPPED:<rules>`). When nobody is on hours anywhere, the first rule with
 *    an eligible consultant still assigns (`/OFF_HOURS`): an owner off hours beats no owner.
 * 4. Distribution: fewest open leads (LEAST_OPEN_LEADS); a tie goes to whoever was assigned least
 *    recently, never-assigned first, then by id (ROUND_ROBIN).
 *
 * The reason stored with the assignment and streamed to dashboards is `<dealer rule>/<distribution>`,
 * plus the working-hours suffix when hours changed the outcome.
 */
import type { WorkingHours } from '../db/schema.ts';
import { isWithinWorkingHours } from './workingHours.ts';

export const dealerRules = ['PREFERRED_DEALER', 'CITY_DEALER', 'REGIONAL_POOL'] as const;
export type DealerRule = (typeof dealerRules)[number];
export type DistributionRule = 'LEAST_OPEN_LEADS' | 'ROUND_ROBIN';

/** Lead statuses that still occupy a consultant. */
export const openLeadStatuses = ['ASSIGNED', 'CONTACTED', 'VISITED', 'TEST_DRIVEN', 'ORDERED'] as const;

export interface AssignmentLead {
  city: string | null;
  modelCode: string | null;
  preferredDealerCode: string | null;
}

export interface CandidateDealer {
  code: string;
  city: string;
  region: string;
  /** Minutes to first contact (the SLA); absent in unit tests that do not need it. */
  slaMinutes?: number;
}

export interface CandidateConsultant {
  id: string;
  dealerCode: string;
  skills: string[];
  capacity: number;
  active: boolean;
  openLeads: number;
  lastAssignedAt: Date | null;
  workingHours?: WorkingHours | null;
}

export interface AssignmentOptions {
  /** The instant of the decision, for working hours; without it hours are not considered. */
  now?: Date;
  /** Consultants who must not get the lead (e.g. the one who breached its SLA). */
  excludeConsultantIds?: readonly string[];
}

export interface AssignmentDecision {
  consultantId: string;
  dealerCode: string;
  rule: DealerRule;
  distribution: DistributionRule;
  reason: string;
}

const sameCity = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/**
 * The regions a lead may be pooled into: those of the dealers in its city and of its preferred
 * dealer. The repository locks and loads exactly these, so the engine and the SQL agree.
 */
export function poolRegions(lead: AssignmentLead, dealers: readonly CandidateDealer[]): string[] {
  const regions = new Set<string>();
  for (const d of dealers) {
    if ((lead.city && sameCity(d.city, lead.city)) || d.code === lead.preferredDealerCode)
      regions.add(d.region);
  }
  return [...regions].sort();
}

// Skills hold brand names as people write them; model codes start with a brand key (HAVAL-H6-2024).
const brandAliases: Readonly<Record<string, string>> = { GREATWALL: 'GWM' };

function skillKey(skill: string): string {
  const key = skill.toUpperCase().replace(/[\s_]+/g, '');
  return brandAliases[key] ?? key;
}

/** The brand key of a model code: its first dash-separated segment, e.g. TANK-300-2024 -> TANK. */
export function brandOfModel(modelCode: string): string {
  return modelCode.trim().toUpperCase().split('-')[0] ?? '';
}

/** A consultant may take the lead if trained on its brand (or exact model), or if no skills are recorded. */
export function hasSkillFor(skills: readonly string[], modelCode: string | null): boolean {
  if (!modelCode || skills.length === 0) return true;
  const model = modelCode.trim().toUpperCase();
  const brand = brandOfModel(model);
  return skills.some((s) => {
    const key = skillKey(s);
    return key === brand || key === model;
  });
}

function compareForDistribution(a: CandidateConsultant, b: CandidateConsultant): number {
  if (a.openLeads !== b.openLeads) return a.openLeads - b.openLeads;
  const at = a.lastAssignedAt?.getTime() ?? Number.NEGATIVE_INFINITY;
  const bt = b.lastAssignedAt?.getTime() ?? Number.NEGATIVE_INFINITY;
  if (at !== bt) return at < bt ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function decide(rule: DealerRule, pool: CandidateConsultant[], suffix: string): AssignmentDecision | null {
  const [best, next] = [...pool].sort(compareForDistribution);
  if (!best) return null;
  const distribution: DistributionRule =
    next && next.openLeads === best.openLeads ? 'ROUND_ROBIN' : 'LEAST_OPEN_LEADS';
  return {
    consultantId: best.id,
    dealerCode: best.dealerCode,
    rule,
    distribution,
    reason: `${rule}/${distribution}${suffix}`,
  };
}

/** Picks the consultant for a lead, or null when nobody eligible is found (the lead then stays NEW). */
export function chooseAssignment(
  lead: AssignmentLead,
  candidates: { dealers: readonly CandidateDealer[]; consultants: readonly CandidateConsultant[] },
  options: AssignmentOptions = {},
): AssignmentDecision | null {
  const { dealers, consultants } = candidates;
  const regions = new Set(poolRegions(lead, dealers));
  const dealersByRule: Record<DealerRule, Set<string>> = {
    PREFERRED_DEALER: new Set(dealers.filter((d) => d.code === lead.preferredDealerCode).map((d) => d.code)),
    CITY_DEALER: new Set(
      dealers.filter((d) => lead.city !== null && sameCity(d.city, lead.city)).map((d) => d.code),
    ),
    REGIONAL_POOL: new Set(dealers.filter((d) => regions.has(d.region)).map((d) => d.code)),
  };
  const excluded = new Set(options.excludeConsultantIds ?? []);
  const eligible = consultants.filter(
    (c) =>
      c.active && c.openLeads < c.capacity && hasSkillFor(c.skills, lead.modelCode) && !excluded.has(c.id),
  );
  const { now } = options;
  const onHours = (c: CandidateConsultant) => !now || isWithinWorkingHours(c.workingHours, now);
  const skipped: DealerRule[] = [];
  for (const rule of dealerRules) {
    const pool = eligible.filter((c) => dealersByRule[rule].has(c.dealerCode));
    const suffix = skipped.length > 0 ? `/OFF_HOURS_SKIPPED:${skipped.join('+')}` : '';
    const decision = decide(rule, pool.filter(onHours), suffix);
    if (decision) return decision;
    if (pool.length > 0) skipped.push(rule);
  }
  const [fallback] = skipped;
  if (!fallback) return null;
  return decide(
    fallback,
    eligible.filter((c) => dealersByRule[fallback].has(c.dealerCode)),
    '/OFF_HOURS',
  );
}

/**
 * Counts a decision against in-memory candidates, so the next lead of a batch sees the new load
 * and the round-robin turn; `releasedBy` gives up the lead (a reassignment away from them).
 */
export function countDecision(
  consultants: CandidateConsultant[],
  consultantId: string,
  now: Date,
  releasedBy?: string,
): void {
  for (const c of consultants) {
    if (c.id === consultantId) {
      c.openLeads += 1;
      c.lastAssignedAt = now;
    } else if (c.id === releasedBy) {
      c.openLeads = Math.max(0, c.openLeads - 1);
    }
  }
}
