import { anyOfPlaceholder, type Db, driverValues, preparedStatement } from '@cx/platform';
import { and, eq, inArray } from 'drizzle-orm';
import { type ConsultantRow, consultants, type DealerRow, dealers } from '../db/schema.ts';

export async function findDealersByCodes(db: Db, codes: readonly string[]): Promise<DealerRow[]> {
  if (codes.length === 0) return [];
  return preparedStatement(db, 'dealersByCodes', () =>
    db.select().from(dealers).where(anyOfPlaceholder(dealers.code, 'codes')),
  ).execute({ codes: driverValues(dealers.code, codes) });
}

export async function listDealers(db: Db, filter: { region?: string; city?: string }): Promise<DealerRow[]> {
  return db
    .select()
    .from(dealers)
    .where(
      and(
        filter.region ? eq(dealers.region, filter.region) : undefined,
        filter.city ? eq(dealers.city, filter.city) : undefined,
      ),
    )
    .orderBy(dealers.code);
}

export async function findConsultantsByIds(db: Db, ids: readonly string[]): Promise<ConsultantRow[]> {
  if (ids.length === 0) return [];
  return preparedStatement(db, 'consultantsByIds', () =>
    db.select().from(consultants).where(anyOfPlaceholder(consultants.id, 'ids')),
  ).execute({ ids: driverValues(consultants.id, ids) });
}

export async function findConsultantsByDealers(db: Db, codes: readonly string[]): Promise<ConsultantRow[]> {
  if (codes.length === 0) return [];
  return db
    .select()
    .from(consultants)
    .where(inArray(consultants.dealerCode, [...codes]))
    .orderBy(consultants.name, consultants.id);
}
