import { type Db, dealerOf, forbidden, type Viewer } from '@cx/platform';
import { type SQL, sql } from 'drizzle-orm';
import { normalizeDealerCode } from '../args.ts';
import { rowsOf } from '../db/rows.ts';
import { campaigns, dealers, leadEvents, leads } from '../db/schema.ts';
import type { LeadSource } from '../leads/grade.ts';
import { funnelStages } from '../lifecycle/status.ts';

export interface SalesAnalyticsFilter {
  dealerCode?: string | null;
  source?: LeadSource | null;
  modelCode?: string | null;
  from?: Date | null;
  to?: Date | null;
}

/**
 * The leads a figure covers, as SQL over `leads l`: the filter, and for dealer roles their own
 * dealer (asking for another dealer is FORBIDDEN, not an empty answer).
 */
function leadConditions(viewer: Viewer | null, filter: SalesAnalyticsFilter): SQL {
  const asked = normalizeDealerCode(filter.dealerCode);
  const scoped = dealerOf(viewer);
  if (scoped !== null && asked !== null && asked !== scoped) throw forbidden('Dealer', asked);
  const dealer = scoped ?? asked;
  const parts: SQL[] = [sql`true`];
  if (dealer) parts.push(sql`l.dealer_code = ${dealer}`);
  if (filter.source) parts.push(sql`l.source = ${filter.source}`);
  if (filter.modelCode?.trim()) parts.push(sql`l.model_code = ${filter.modelCode.trim().toUpperCase()}`);
  if (filter.from) parts.push(sql`l.created_at >= ${filter.from.toISOString()}::timestamptz`);
  if (filter.to) parts.push(sql`l.created_at < ${filter.to.toISOString()}::timestamptz`);
  return sql.join(parts, sql` and `);
}

export interface FunnelFigures {
  total: number;
  lost: number;
  won: number;
  stages: { status: (typeof funnelStages)[number]; current: number; reached: number }[];
  winRate: number;
}

/**
 * One statement. A lead's stage is its status, or for a LOST lead the status it was lost from
 * (its timeline; without one, CONTACTED if it was contacted, ASSIGNED if assigned, else NEW).
 * reached(s) counts leads whose stage is s or later on NEW..WON.
 */
export async function salesFunnel(
  db: Db,
  viewer: Viewer | null,
  filter: SalesAnalyticsFilter,
): Promise<FunnelFigures> {
  const stageList = sql.raw(`array[${funnelStages.map((s) => `'${s}'`).join(', ')}]::text[]`);
  const columns = funnelStages.map(
    (s, i) =>
      sql`count(*) filter (where f.status = ${s})::int as ${sql.identifier(`current_${s}`)},
        count(*) filter (where f.rank >= ${i})::int as ${sql.identifier(`reached_${s}`)}`,
  );
  const [row] = rowsOf<Record<string, number>>(
    await db.execute(sql`
      with f as (
        select l.status::text as status,
          array_position(${stageList}, case when l.status = 'LOST' then coalesce(
            (select e.from_status::text from ${leadEvents} e
              where e.lead_id = l.id and e.to_status = 'LOST' order by e.at desc limit 1),
            case when l.first_contact_at is not null then 'CONTACTED'
              when l.assigned_at is not null then 'ASSIGNED' else 'NEW' end)
          else l.status::text end) - 1 as rank
        from ${leads} l where ${leadConditions(viewer, filter)}
      )
      select count(*)::int as total, count(*) filter (where f.status = 'LOST')::int as lost,
        ${sql.join(columns, sql`, `)}
      from f`),
  );
  const n = (key: string) => Number(row?.[key] ?? 0);
  const total = n('total');
  const won = n('current_WON');
  return {
    total,
    lost: n('lost'),
    won,
    stages: funnelStages.map((status) => ({
      status,
      current: n(`current_${status}`),
      reached: n(`reached_${status}`),
    })),
    winRate: total === 0 ? 0 : won / total,
  };
}

export interface SpeedToLeadFigures {
  leads: number;
  contacted: number;
  withinSla: number;
  medianMinutes: number | null;
  p90Minutes: number | null;
}

/** One statement: minutes from creation to first contact, percentile_cont over contacted leads. */
export async function speedToLead(
  db: Db,
  viewer: Viewer | null,
  filter: SalesAnalyticsFilter,
): Promise<SpeedToLeadFigures> {
  const minutes = sql`extract(epoch from (l.first_contact_at - l.created_at)) / 60.0`;
  const [row] = rowsOf<Record<string, number | string | null>>(
    await db.execute(sql`
      select count(*)::int as leads, count(l.first_contact_at)::int as contacted,
        count(*) filter (where l.first_contact_at <= l.created_at + make_interval(mins => coalesce(d.sla_minutes, 5)))::int as within_sla,
        percentile_cont(0.5) within group (order by ${minutes}) as median,
        percentile_cont(0.9) within group (order by ${minutes}) as p90
      from ${leads} l left join ${dealers} d on d.code = l.dealer_code
      where ${leadConditions(viewer, filter)}`),
  );
  const num = (v: number | string | null | undefined) => (v === null || v === undefined ? null : Number(v));
  return {
    leads: Number(row?.leads ?? 0),
    contacted: Number(row?.contacted ?? 0),
    withinSla: Number(row?.within_sla ?? 0),
    medianMinutes: num(row?.median),
    p90Minutes: num(row?.p90),
  };
}

export interface ChannelRoiFigures {
  channel: LeadSource;
  leads: number;
  won: number;
  cost: string;
  costPerLead: string | null;
  costPerWon: string | null;
}

/**
 * One statement: per channel (lead source), the filtered leads and won deals, and the cost of the
 * channel's campaigns whose period overlaps the filter's (campaigns are national, so the dealer
 * and model filters narrow the leads, not the cost). Amounts are rounded to cents.
 */
export async function channelRoi(
  db: Db,
  viewer: Viewer | null,
  filter: SalesAnalyticsFilter,
): Promise<ChannelRoiFigures[]> {
  const costParts: SQL[] = [sql`true`];
  if (filter.source) costParts.push(sql`c.channel = ${filter.source}`);
  if (filter.from) costParts.push(sql`c.ends_on > ${filter.from.toISOString()}::timestamptz`);
  if (filter.to) costParts.push(sql`c.starts_on < ${filter.to.toISOString()}::timestamptz`);
  const rows = rowsOf<Record<string, string | number | null>>(
    await db.execute(sql`
      with counted as (
        select l.source::text as channel, count(*) as leads, count(*) filter (where l.status = 'WON') as won
        from ${leads} l where ${leadConditions(viewer, filter)} group by l.source
      ), spent as (
        select c.channel::text as channel, sum(c.cost) as cost from ${campaigns} c
        where ${sql.join(costParts, sql` and `)} group by c.channel
      )
      select coalesce(counted.channel, spent.channel) as channel,
        coalesce(counted.leads, 0)::int as leads, coalesce(counted.won, 0)::int as won,
        coalesce(spent.cost, 0)::numeric(14, 2)::text as cost,
        case when counted.leads > 0 then round(coalesce(spent.cost, 0) / counted.leads, 2)::text end as cost_per_lead,
        case when counted.won > 0 then round(coalesce(spent.cost, 0) / counted.won, 2)::text end as cost_per_won
      from counted full join spent on spent.channel = counted.channel
      order by 1`),
  );
  return rows.map((r) => ({
    channel: r.channel as LeadSource,
    leads: Number(r.leads),
    won: Number(r.won),
    cost: String(r.cost),
    costPerLead: r.cost_per_lead === null ? null : String(r.cost_per_lead),
    costPerWon: r.cost_per_won === null ? null : String(r.cost_per_won),
  }));
}
