import { money } from '@cx/platform';
import type { CampaignRow } from '../db/schema.ts';

export const Campaign = {
  cost(c: CampaignRow) {
    return money(c.cost, c.currency);
  },
};
