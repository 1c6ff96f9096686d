import { connectionLoader, type Db, groupLoader, rowLoader, type Viewer } from '@cx/platform';
import { type FollowUpRow, followUps, type LeadEventRow, leadEvents } from '../db/schema.ts';
import {
  findCampaignsByCodes,
  findTestDrivesByIds,
  findTestDrivesByLeads,
} from '../repositories/lifecycle.ts';

/**
 * Per-request loaders of the lead lifecycle (merged into createLoaders). Timeline and follow-ups
 * hang off a lead the caller can already see, so they need no scope condition of their own.
 */
export function createLifecycleLoaders(db: Db, _viewer: Viewer | null) {
  return {
    timelineOfLead: connectionLoader<LeadEventRow>(
      db,
      { table: leadEvents, parent: leadEvents.leadId, order: leadEvents.at, id: leadEvents.id },
      (e) => ({ at: e.at, id: e.id }),
    ),
    followUpsOfLead: connectionLoader<FollowUpRow>(
      db,
      { table: followUps, parent: followUps.leadId, order: followUps.at, id: followUps.id },
      (f) => ({ at: f.at, id: f.id }),
    ),
    testDrive: rowLoader(
      (ids: readonly string[]) => findTestDrivesByIds(db, ids),
      (d) => d.id,
    ),
    testDrivesOfLead: groupLoader(
      (leadIds: readonly string[]) => findTestDrivesByLeads(db, leadIds),
      (d) => d.leadId,
    ),
    campaign: rowLoader(
      (codes: readonly string[]) => findCampaignsByCodes(db, codes),
      (c) => c.code,
    ),
  };
}
