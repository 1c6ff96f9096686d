import { addShanghaiMonths } from '../time.ts';

/** The new-vehicle warranty: 3 years or 100,000 km, whichever comes first. */
export const WARRANTY_MONTHS = 36;
export const WARRANTY_KM = 100_000;

export function warrantyEndsAt(deliveredAt: Date): Date {
  return addShanghaiMonths(deliveredAt, WARRANTY_MONTHS);
}

/** Why a visit at `at` with `km` on the clock is out of warranty, or null when covered (or unknown). */
export function outOfWarranty(
  facts: { deliveredAt: Date | null } | null,
  at: Date,
  km: number | null,
): string | null {
  if (km !== null && km > WARRANTY_KM)
    return `the vehicle had ${km.toLocaleString('en-US')} km, above the ${WARRANTY_KM.toLocaleString('en-US')} km covered`;
  if (facts?.deliveredAt && at > warrantyEndsAt(facts.deliveredAt))
    return `the warranty ended on ${warrantyEndsAt(facts.deliveredAt).toISOString()}`;
  return null;
}
