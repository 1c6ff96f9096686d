import type { Db, Viewer } from '@cx/platform';
import { GraphQLError } from 'graphql';
import type { CampaignRow } from '../db/schema.ts';
import type { LeadSource } from '../leads/grade.ts';
import { upsertCampaign } from '../repositories/lifecycle.ts';
import { fail, type Outcome } from './leadMove.ts';
import { parseMoney } from './orders.ts';

export interface CampaignUpsertInput {
  code: string;
  name: string;
  channel: LeadSource;
  cost: string;
  currency?: string | null;
  startsOn: Date;
  endsOn: Date;
}

/** Campaigns are national marketing spend: HQ admins maintain them. */
export async function saveCampaign(
  db: Db,
  viewer: Viewer | null,
  input: CampaignUpsertInput,
): Promise<Outcome<CampaignRow>> {
  if (viewer && viewer.role !== 'hq_admin')
    throw new GraphQLError('only hq_admin maintains campaigns', { extensions: { code: 'FORBIDDEN' } });
  const code = input.code.trim();
  const name = input.name.trim();
  if (!code || code.length > 64) return fail('code', 'INVALID', 'must be 1 to 64 characters');
  if (!name || name.length > 200) return fail('name', 'INVALID', 'must be 1 to 200 characters');
  if (input.endsOn.getTime() <= input.startsOn.getTime())
    return fail('endsOn', 'INVALID_PERIOD', 'must be after startsOn');
  const cost = parseMoney(input.cost, input.currency, 'cost');
  if (!cost.value) return cost;
  const saved = await upsertCampaign(db, {
    code,
    name,
    channel: input.channel,
    cost: cost.value.amount,
    currency: cost.value.currency,
    startsOn: input.startsOn,
    endsOn: input.endsOn,
  });
  return { value: saved, userErrors: [] };
}
