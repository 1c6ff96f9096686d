import { anyOfPlaceholder, type Db, driverValues, preparedStatement } from '@cx/platform';
import { and, desc, gte, lte, sql } from 'drizzle-orm';
import { type ModelRow, models } from '../db/schema.ts';

export type Powertrain = ModelRow['powertrain'];

export interface ModelFilter {
  brand?: string;
  powertrain?: Powertrain;
  /** Decimal strings; a model matches when its price band overlaps [priceMin, priceMax]. */
  priceMin?: string;
  priceMax?: string;
}

export async function findModelsByCodes(db: Db, codes: readonly string[]): Promise<ModelRow[]> {
  if (codes.length === 0) return [];
  return preparedStatement(db, 'modelsByCodes', () =>
    db.select().from(models).where(anyOfPlaceholder(models.code, 'codes')),
  ).execute({ codes: driverValues(models.code, codes) });
}

export async function listModels(db: Db, filter: ModelFilter): Promise<ModelRow[]> {
  return db
    .select()
    .from(models)
    .where(
      and(
        filter.brand ? sql`lower(${models.brand}) = ${filter.brand.toLowerCase()}` : undefined,
        filter.powertrain ? sql`${models.powertrain} = ${filter.powertrain}` : undefined,
        filter.priceMin ? gte(models.priceMax, filter.priceMin) : undefined,
        filter.priceMax ? lte(models.priceMin, filter.priceMax) : undefined,
      ),
    )
    .orderBy(models.brand, models.series, desc(models.modelYear), models.code);
}
