import type { TagDraft } from './types.ts';

const DAY_MS = 86_400_000;

/** What other subgraphs told us about a customer (see the customer_facts projection). */
export interface Facts {
  lastServiceAt: Date | null;
  lastServiceMileageKm: number | null;
  lastNpsScore: number | null;
  lastNpsAt: Date | null;
  openComplaints: number;
  /** When the customer's oldest current vehicle became theirs. */
  vehicleSince: Date | null;
  mileageKm: number | null;
  familyChangedAt: Date | null;
}

export const emptyFacts: Facts = {
  lastServiceAt: null,
  lastServiceMileageKm: null,
  lastNpsScore: null,
  lastNpsAt: null,
  openComplaints: 0,
  vehicleSince: null,
  mileageKm: null,
  familyChangedAt: null,
};

/** One scored criterion; the reasons make each predictive tag explainable. */
interface Criterion {
  points: number;
  reason: string;
}

const maxOf = <T>(values: (T | null)[], cmp: (a: T, b: T) => number): T | null =>
  values.reduce<T | null>((best, v) => (v !== null && (best === null || cmp(v, best) > 0) ? v : best), null);
const byTime = (a: Date, b: Date) => a.getTime() - b.getTime();
const byNumber = (a: number, b: number) => a - b;

/** The facts of a merged person are the facts of everyone merged into them. */
export function combineFacts(rows: readonly Facts[]): Facts {
  if (rows.length === 0) return emptyFacts;
  const lastService = maxOf(
    rows.map((r) => (r.lastServiceAt ? r : null)),
    (a, b) => byTime(a.lastServiceAt!, b.lastServiceAt!),
  );
  const lastNps = maxOf(
    rows.map((r) => (r.lastNpsAt && r.lastNpsScore !== null ? r : null)),
    (a, b) => byTime(a.lastNpsAt!, b.lastNpsAt!),
  );
  return {
    lastServiceAt: lastService?.lastServiceAt ?? null,
    lastServiceMileageKm: lastService?.lastServiceMileageKm ?? null,
    lastNpsScore: lastNps?.lastNpsScore ?? null,
    lastNpsAt: lastNps?.lastNpsAt ?? null,
    openComplaints: rows.reduce((n, r) => n + r.openComplaints, 0),
    // The oldest vehicle: the earliest instant.
    vehicleSince: maxOf(
      rows.map((r) => r.vehicleSince),
      (a, b) => byTime(b, a),
    ),
    mileageKm: maxOf(
      rows.map((r) => r.mileageKm),
      byNumber,
    ),
    familyChangedAt: maxOf(
      rows.map((r) => r.familyChangedAt),
      byTime,
    ),
  };
}

const ownsVehicle = (f: Facts) => f.vehicleSince !== null;
const daysSince = (at: Date, now: Date) => (now.getTime() - at.getTime()) / DAY_MS;
/** Vehicle age in years at `now`, or null without a vehicle. */
export const vehicleAgeYears = (f: Facts, now: Date) =>
  f.vehicleSince ? daysSince(f.vehicleSince, now) / 365.25 : null;

/**
 * Churn risk, out of 100:
 *   +40 no service visit in the last 12 months (owners of a vehicle at least a year old)
 *   +30 the latest NPS answer was a detractor (0-6)
 *   +30 at least one open complaint
 * 60 or more is `churn-risk:high`, 30 or more `churn-risk:medium`.
 */
export function churnRisk(f: Facts, now: Date): Criterion[] {
  const out: Criterion[] = [];
  const lapsed = f.lastServiceAt
    ? daysSince(f.lastServiceAt, now) > 365
    : (vehicleAgeYears(f, now) ?? 0) >= 1;
  if (ownsVehicle(f) && lapsed) out.push({ points: 40, reason: 'no service visit in 12 months' });
  if (f.lastNpsScore !== null && f.lastNpsScore <= 6)
    out.push({ points: 30, reason: `detractor (NPS ${f.lastNpsScore})` });
  if (f.openComplaints > 0)
    out.push({
      points: 30,
      reason: `${f.openComplaints} open complaint${f.openComplaints > 1 ? 's' : ''}`,
    });
  return out;
}

/**
 * Trade-in propensity, out of 100:
 *   +40 vehicle 6 years or older (+20 from 4 years)
 *   +30 mileage 120,000 km or more (+15 from 80,000 km)
 *   +30 a family change (marriage, child) in the last 12 months
 * 60 or more is `trade-in:high`, 30 or more `trade-in:medium`.
 */
export function tradeInPropensity(f: Facts, now: Date): Criterion[] {
  const out: Criterion[] = [];
  const age = vehicleAgeYears(f, now);
  if (age !== null && age >= 6) out.push({ points: 40, reason: 'vehicle 6+ years old' });
  else if (age !== null && age >= 4) out.push({ points: 20, reason: 'vehicle 4+ years old' });
  if (f.mileageKm !== null && f.mileageKm >= 120_000) out.push({ points: 30, reason: '120,000+ km' });
  else if (f.mileageKm !== null && f.mileageKm >= 80_000) out.push({ points: 15, reason: '80,000+ km' });
  if (f.familyChangedAt && daysSince(f.familyChangedAt, now) <= 365)
    out.push({ points: 30, reason: 'family change in 12 months' });
  return out;
}

/**
 * Maintenance due (vehicle owners): 6 months since the last service, or 5,000 km driven since it,
 * or never serviced with a vehicle at least 6 months old.
 */
export function maintenanceDue(f: Facts, now: Date): string | null {
  if (!ownsVehicle(f)) return null;
  if (!f.lastServiceAt) return vehicleAgeYears(f, now)! >= 0.5 ? 'never serviced' : null;
  if (daysSince(f.lastServiceAt, now) >= 182) return '6 months since last service';
  if (f.mileageKm !== null && f.lastServiceMileageKm !== null && f.mileageKm - f.lastServiceMileageKm >= 5000)
    return '5,000 km since last service';
  return null;
}

function scored(name: string, title: string, criteria: Criterion[]): TagDraft[] {
  const score = Math.min(
    100,
    criteria.reduce((s, c) => s + c.points, 0),
  );
  const level = score >= 60 ? 'high' : score >= 30 ? 'medium' : null;
  if (!level) return [];
  return [
    {
      key: `${name}:${level}`,
      label: `${title} ${level}: ${criteria.map((c) => c.reason).join(', ')}`,
      kind: 'PREDICTIVE',
      score,
      expiresAt: null,
    },
  ];
}

/** Predictive tags: transparent rules over the facts projection, evaluated at `now`. */
export function predictiveTags(f: Facts, now: Date): TagDraft[] {
  const tags = [
    ...scored('churn-risk', 'Churn risk', churnRisk(f, now)),
    ...scored('trade-in', 'Trade-in propensity', tradeInPropensity(f, now)),
  ];
  const due = maintenanceDue(f, now);
  if (due)
    tags.push({
      key: 'maintenance-due',
      label: `Maintenance due: ${due}`,
      kind: 'PREDICTIVE',
      score: null,
      expiresAt: null,
    });
  return tags;
}
