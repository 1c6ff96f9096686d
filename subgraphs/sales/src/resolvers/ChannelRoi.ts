import { money } from '@cx/platform';
import type { ChannelRoiFigures } from '../analytics/queries.ts';

export const ChannelRoi = {
  cost: (r: ChannelRoiFigures) => money(r.cost),
  costPerLead: (r: ChannelRoiFigures) => (r.costPerLead === null ? null : money(r.costPerLead)),
  costPerWon: (r: ChannelRoiFigures) => (r.costPerWon === null ? null : money(r.costPerWon)),
};
