import type { Db } from '@cx/platform';
import { sql } from 'drizzle-orm';
import { rowsOf } from '../db/rows.ts';
import { consultants, dealers, leadAssignments, leads } from '../db/schema.ts';
import { type CandidateConsultant, type CandidateDealer, openLeadStatuses } from '../leads/assignment.ts';

function textList(values: readonly string[]) {
  return sql.join(
    values.map((v) => sql`${v}`),
    sql`, `,
  );
}

/**
 * Serializes assignments per region until the transaction ends, so two concurrent leads never both
 * see a consultant's last free slot or the same round-robin turn. Locks are taken in region order
 * (no deadlocks) and the candidate read that follows runs in a fresh snapshot (read committed).
 * Returns the locked regions: those of the dealers in the leads' cities and of their preferred
 * dealers, for any number of leads in one statement.
 */
export async function lockAssignmentRegions(
  db: Db,
  params: { cities: readonly string[]; preferredDealerCodes: readonly string[] },
): Promise<string[]> {
  const cities = [...new Set(params.cities.map((c) => c.trim().toLowerCase()))];
  const codes = [...new Set(params.preferredDealerCodes)];
  if (cities.length === 0 && codes.length === 0) return [];
  const byCity = cities.length > 0 ? sql`lower(trim(${dealers.city})) in (${textList(cities)})` : sql`false`;
  const byCode = codes.length > 0 ? sql`${dealers.code} in (${textList(codes)})` : sql`false`;
  const rows = rowsOf<{ region: string }>(
    await db.execute(sql`
      select r.region, pg_advisory_xact_lock(hashtext('sales.assignment'), hashtext(r.region))
      from (
        select distinct ${dealers.region} as region from ${dealers} where ${byCity} or ${byCode} order by 1
      ) r`),
  );
  return rows.map((r) => r.region);
}

/** Every dealer and active consultant of the given regions, with each consultant's load, in one statement. */
export async function findAssignmentCandidates(
  db: Db,
  regions: readonly string[],
): Promise<{ dealers: CandidateDealer[]; consultants: CandidateConsultant[] }> {
  if (regions.length === 0) return { dealers: [], consultants: [] };
  const openStatuses = sql.join(
    openLeadStatuses.map((s) => sql`${s}`),
    sql`, `,
  );
  const rows = await db
    .select({
      code: dealers.code,
      city: dealers.city,
      region: dealers.region,
      slaMinutes: dealers.slaMinutes,
      consultantId: consultants.id,
      skills: consultants.skills,
      capacity: consultants.capacity,
      active: consultants.active,
      workingHours: consultants.workingHours,
      openLeads: sql<number>`(select count(*) from ${leads} where ${leads.consultantId} = ${consultants.id}
        and ${leads.status} in (${openStatuses}))`.mapWith(Number),
      lastAssignedAt: sql<Date | null>`(select max(${leadAssignments.assignedAt}) from ${leadAssignments}
        where ${leadAssignments.consultantId} = ${consultants.id})`.mapWith((v: string | Date | null) =>
        v === null ? null : new Date(v),
      ),
    })
    .from(dealers)
    .leftJoin(consultants, sql`${consultants.dealerCode} = ${dealers.code} and ${consultants.active}`)
    .where(sql`${dealers.region} in (${textList(regions)})`);
  const byCode = new Map<string, CandidateDealer>();
  const found: CandidateConsultant[] = [];
  for (const r of rows) {
    byCode.set(r.code, { code: r.code, city: r.city, region: r.region, slaMinutes: r.slaMinutes });
    if (r.consultantId === null) continue;
    found.push({
      id: r.consultantId,
      dealerCode: r.code,
      skills: r.skills ?? [],
      capacity: r.capacity ?? 0,
      active: r.active ?? false,
      openLeads: r.openLeads,
      lastAssignedAt: r.lastAssignedAt,
      workingHours: r.workingHours,
    });
  }
  return { dealers: [...byCode.values()], consultants: found };
}

export async function insertLeadAssignments(
  db: Db,
  rows: readonly (typeof leadAssignments.$inferInsert)[],
): Promise<void> {
  if (rows.length === 0) return;
  await db.insert(leadAssignments).values([...rows]);
}
