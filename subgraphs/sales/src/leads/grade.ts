export type LeadSource =
  | 'WEBSITE'
  | 'APP'
  | 'MEDIA_PLATFORM'
  | 'CALL_CENTER'
  | 'SHOWROOM'
  | 'SERVICE_HANDOFF'
  | 'CAMPAIGN';
export type LeadGrade = 'H' | 'A' | 'B' | 'C';

/** Sources where the customer is talking to someone right now, so intent is highest. */
const liveSources: ReadonlySet<LeadSource> = new Set(['SHOWROOM', 'CALL_CENTER']);

/**
 * Grades a new lead from what the customer told us, hottest first:
 * - H: a specific model, asked in person or on the phone (SHOWROOM, CALL_CENTER);
 * - A: a specific model from any other source (APP, WEBSITE, media, campaigns, service handoff);
 * - B: no model, but a city, so a nearby dealer can still follow up;
 * - C: neither a model nor a city.
 */
export function gradeLead(lead: {
  source: LeadSource;
  modelCode: string | null;
  city: string | null;
}): LeadGrade {
  if (lead.modelCode) return liveSources.has(lead.source) ? 'H' : 'A';
  return lead.city ? 'B' : 'C';
}
