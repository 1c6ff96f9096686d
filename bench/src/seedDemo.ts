import { schema as customerSchema } from '@cx/customer';
import { schema as feedbackSchema } from '@cx/feedback';
import type { Db, PiiCipher, SubgraphName } from '@cx/platform';
import { contentHash } from '@cx/platform';
import { schema as salesSchema } from '@cx/sales';
import { schema as serviceSchema } from '@cx/service';
import { schema as vehicleSchema } from '@cx/vehicle';
import { count, sql } from 'drizzle-orm';
import { insertRows as insertChunked } from './bulkInsert.ts';
import { models } from './catalog.ts';
import { type CustomerBundle, type DatasetOptions, generateCustomers, generateDealers } from './dataset.ts';

export type SubgraphDbs = Record<SubgraphName, Db>;

export interface SeedReport {
  customers: number;
  rows: number;
  seconds: number;
}

/** Drops each subgraph's schema (its migration journal included), for a migration from scratch. */
export async function dropSubgraphSchemas(dbs: SubgraphDbs): Promise<void> {
  for (const name of Object.keys(dbs) as SubgraphName[])
    await dbs[name].execute(sql.raw(`drop schema if exists "${name}" cascade`));
}

/**
 * VACUUM (ANALYZE) of every subgraph table after a bulk load. Without statistics Postgres plans
 * hash joins over whole tables (0.4 s per 360 statement at 1M customers instead of under a
 * millisecond); without the visibility map that only VACUUM sets, index-only scans (segment
 * counts over tags, consents and live customers) still visit every heap page, and the first
 * readers pay for setting hint bits on freshly copied rows. One statement per table: VACUUM
 * cannot run in a transaction block (or a DO block).
 */
export async function analyzeSubgraphSchemas(dbs: SubgraphDbs): Promise<void> {
  for (const name of Object.keys(dbs) as SubgraphName[]) {
    const tables = rowsOf<{ tablename: string }>(
      await dbs[name].execute(
        sql`select tablename from pg_tables where schemaname = ${name} order by tablename`,
      ),
    );
    for (const { tablename } of tables)
      await dbs[name].execute(sql.raw(`vacuum (analyze) "${name}"."${tablename.replace(/"/g, '""')}"`));
  }
}

/** Rows of `db.execute`: postgres.js resolves to the rows, PGlite to { rows }. */
function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

interface DeferredIndex {
  schema: SubgraphName;
  name: string;
  create: string;
}

/**
 * Drops every secondary (non-unique) index of the subgraph schemas before a bulk load and returns
 * their definitions. Maintaining some 26 of them row by row (random uuid keys) was most of
 * Postgres' work during a 1M load; building each once from sorted data afterwards is several
 * times cheaper. Unique and primary keys stay, so the load is still checked for duplicates.
 */
async function dropSecondaryIndexes(dbs: SubgraphDbs): Promise<DeferredIndex[]> {
  const deferred: DeferredIndex[] = [];
  for (const schema of Object.keys(dbs) as SubgraphName[]) {
    const indexes = rowsOf<{ name: string; create: string }>(
      await dbs[schema].execute(
        sql`select c.relname as name, pg_get_indexdef(x.indexrelid) as create
          from pg_index x join pg_class c on c.oid = x.indexrelid join pg_namespace n on n.oid = c.relnamespace
          where n.nspname = ${schema} and not x.indisunique and not x.indisprimary order by c.relname`,
      ),
    );
    for (const index of indexes) {
      await dbs[schema].execute(sql.raw(`drop index "${schema}"."${index.name.replace(/"/g, '""')}"`));
      deferred.push({ schema, ...index });
    }
  }
  return deferred;
}

/** Builds the dropped indexes again. */
async function createIndexes(dbs: SubgraphDbs, indexes: DeferredIndex[]): Promise<void> {
  for (const index of indexes)
    await dbs[index.schema].transaction(async (tx) => {
      // Sorts of a million keys fit in memory instead of spilling to disk.
      await tx.execute(sql.raw(`set local maintenance_work_mem = '256MB'`));
      await tx.execute(sql.raw(index.create));
    });
}

export async function countCustomers(dbs: SubgraphDbs): Promise<number> {
  const [row] = await dbs.customer.select({ n: count() }).from(customerSchema.customers);
  return Number(row?.n ?? 0);
}

export async function isSeeded(dbs: SubgraphDbs): Promise<boolean> {
  const [row] = await dbs.customer.select({ n: count() }).from(customerSchema.customers);
  return Number(row?.n ?? 0) > 0;
}

/** Remembers keys across batches: the first claim of a key wins. */
class KeyClaims {
  private readonly seen = new Set<string>();
  claim(key: string): boolean {
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    return true;
  }
}

function firstPerKey<T>(rows: T[], key: (row: T) => string): T[] {
  const seen = new Set<string>();
  return rows.filter((row) => {
    const k = key(row);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function ageBand(birthDate: string | null, now: Date): string | null {
  if (!birthDate) return null;
  const age = now.getUTCFullYear() - Number(birthDate.slice(0, 4));
  if (age < 30) return 'under-30';
  if (age < 40) return '30-39';
  if (age < 50) return '40-49';
  return '50-plus';
}

/**
 * Loads the deterministic demo dataset (COPY on Postgres, multi-row inserts on PGlite), each
 * subgraph's rows into its own schema, with the secondary indexes built after the load.
 * Progress goes to `onProgress` so long runs show where they are. A process killed mid-load
 * leaves those indexes dropped: recreate the database (or reseed) rather than reuse it.
 */
export async function seedDemo(
  dbs: SubgraphDbs,
  pii: PiiCipher,
  options: DatasetOptions,
  onProgress: (line: string) => void = () => {},
): Promise<SeedReport> {
  const started = performance.now();
  const deferred = await dropSecondaryIndexes(dbs);
  let rows = 0;
  try {
    rows = await loadDataset(dbs, pii, options, started, onProgress);
  } finally {
    // Also after a failed load, so the schema is whole again whatever the data holds.
    const building = performance.now();
    await createIndexes(dbs, deferred);
    onProgress(
      `seed: ${deferred.length} secondary indexes built in ${((performance.now() - building) / 1000).toFixed(1)} s`,
    );
  }
  return { customers: options.customers, rows, seconds: (performance.now() - started) / 1000 };
}

async function loadDataset(
  dbs: SubgraphDbs,
  pii: PiiCipher,
  options: DatasetOptions,
  started: number,
  onProgress: (line: string) => void,
): Promise<number> {
  let rows = 0;
  const { dealers, consultants } = generateDealers(options);
  rows += await insertChunked(
    dbs.vehicle,
    vehicleSchema.models,
    models.map((m) => ({ ...m })),
  );
  rows += await insertChunked(
    dbs.sales,
    salesSchema.dealers,
    dealers.map((d) => ({
      code: d.code,
      name: d.name,
      city: d.city.city,
      province: d.city.province,
      region: d.city.region,
      latitude: d.latitude,
      longitude: d.longitude,
    })),
  );
  rows += await insertChunked(dbs.sales, salesSchema.consultants, consultants);

  const batchSize = 5000;
  let batch: CustomerBundle[] = [];
  let done = 0;
  // One batch is written while the next is generated: the database and this process overlap.
  let writing: Promise<void> = Promise.resolve();
  const identityKeys = new KeyClaims();
  const flush = async () => {
    const bundles = batch;
    batch = [];
    await writing;
    writing = writeBundles(dbs, pii, bundles, options.now, identityKeys).then((written) => {
      rows += written;
      done += bundles.length;
      const secs = (performance.now() - started) / 1000;
      onProgress(
        `seed: ${done}/${options.customers} customers, ${rows} rows, ${Math.round(rows / Math.max(secs, 0.001))} rows/s`,
      );
    });
    // Surfaces at the next `await writing`; until then the failure must not count as unhandled.
    writing.catch(() => {});
  };
  for (const bundle of generateCustomers(options, dealers, consultants)) {
    batch.push(bundle);
    if (batch.length === batchSize) await flush();
  }
  if (batch.length > 0) await flush();
  await writing;
  return rows;
}

async function writeBundles(
  dbs: SubgraphDbs,
  pii: PiiCipher,
  bundles: CustomerBundle[],
  now: Date,
  identityKeys: KeyClaims,
): Promise<number> {
  const c = customerSchema;
  const customers = bundles.map((b) => b.customer);
  const profiles = customers.map((cu) => {
    const birthDate = cu.nationalId
      ? `${cu.nationalId.slice(6, 10)}-${cu.nationalId.slice(10, 12)}-${cu.nationalId.slice(12, 14)}`
      : null;
    const gender = cu.nationalId
      ? Number(cu.nationalId[16]) % 2 === 1
        ? ('MALE' as const)
        : ('FEMALE' as const)
      : null;
    return {
      cu,
      birthDate,
      gender,
      idHash: cu.nationalId ? pii.keyedHash(cu.nationalId) : null,
      idCipher: cu.nationalId ? pii.encrypt(cu.nationalId) : null,
    };
  });
  const ownedBrands = new Map(
    bundles.map((b) => [b.customer.id, [...new Set(b.vehicles.map((v) => v.model.brand))]]),
  );
  const parts = await Promise.all([
    insertChunked(
      dbs.customer,
      c.customers,
      profiles.map(({ cu, birthDate, gender, idCipher }) => ({
        id: cu.id,
        displayName: cu.name,
        phone: cu.phone,
        email: cu.email,
        nationalIdCipher: idCipher,
        nationalIdLast4: cu.nationalId?.slice(-4) ?? null,
        gender,
        birthDate,
        city: cu.city.city,
        province: cu.city.province,
        preferredDealerCode: cu.dealerCode,
        createdAt: cu.createdAt,
        updatedAt: cu.createdAt,
      })),
    ),
    insertChunked(
      dbs.customer,
      c.identities,
      profiles
        .flatMap(({ cu, idHash }) => [
          {
            customerId: cu.id,
            kind: 'EXTERNAL_ID' as const,
            source: 'DMS' as const,
            valueKey: cu.externalId,
            display: cu.externalId,
            verified: true,
            createdAt: cu.createdAt,
          },
          {
            customerId: cu.id,
            kind: 'PHONE' as const,
            source: 'DMS' as const,
            valueKey: cu.phone,
            display: cu.phone,
            verified: true,
            createdAt: cu.createdAt,
          },
          ...(idHash
            ? [
                {
                  customerId: cu.id,
                  kind: 'NATIONAL_ID' as const,
                  source: 'DMS' as const,
                  valueKey: idHash,
                  display: cu.nationalId!.slice(-4),
                  verified: true,
                  createdAt: cu.createdAt,
                },
              ]
            : []),
        ])
        // Random phones and national IDs collide at scale (~1 in 10^4 at 1M customers); an identity
        // key belongs to one customer (identities_kind_value_source_uq), so a later twin has none.
        .filter((i) => identityKeys.claim(`${i.kind}|${i.source}|${i.valueKey}`)),
    ),
    insertChunked(
      dbs.customer,
      c.sourceRecords,
      profiles.map(({ cu, birthDate, gender, idHash, idCipher }) => {
        const consents = [{ purpose: 'MARKETING_SMS' as const, granted: cu.marketingConsent }];
        const payload = {
          name: cu.name,
          phone: cu.phone,
          phoneVerified: true,
          email: cu.email,
          nationalIdHash: idHash,
          nationalIdLast4: cu.nationalId?.slice(-4) ?? null,
          gender,
          birthDate,
          city: cu.city.city,
          province: cu.city.province,
          consents,
        };
        return {
          source: 'DMS' as const,
          externalId: cu.externalId,
          customerId: cu.id,
          payload: { ...payload, nationalIdCipher: idCipher },
          payloadHash: contentHash({ ...payload, observedAt: cu.createdAt.toISOString() }),
          observedAt: cu.createdAt,
          createdAt: cu.createdAt,
          updatedAt: cu.createdAt,
        };
      }),
    ),
    insertChunked(
      dbs.customer,
      c.consents,
      customers.flatMap((cu) => [
        {
          customerId: cu.id,
          purpose: 'MARKETING_SMS' as const,
          granted: cu.marketingConsent,
          source: 'DMS' as const,
          createdAt: cu.createdAt,
          updatedAt: cu.createdAt,
        },
        {
          customerId: cu.id,
          purpose: 'DATA_SHARING_DEALER' as const,
          granted: true,
          source: 'DMS' as const,
          createdAt: cu.createdAt,
          updatedAt: cu.createdAt,
        },
      ]),
    ),
    insertChunked(
      dbs.customer,
      c.tags,
      profiles.flatMap(({ cu, birthDate }) => {
        const band = ageBand(birthDate, now);
        return [
          {
            customerId: cu.id,
            key: `city:${cu.city.city}`,
            label: `Lives in ${cu.city.city}`,
            kind: 'FACT' as const,
          },
          ...(band
            ? [{ customerId: cu.id, key: `age:${band}`, label: `Age ${band}`, kind: 'FACT' as const }]
            : []),
          ...(ownedBrands.get(cu.id) ?? []).map((brand) => ({
            customerId: cu.id,
            key: `owns:${brand}`,
            label: `Owns a ${brand}`,
            kind: 'FACT' as const,
          })),
        ];
      }),
    ),
    insertChunked(
      dbs.vehicle,
      vehicleSchema.vehicles,
      bundles.flatMap((b) =>
        b.vehicles.map((v) => ({
          vin: v.vin,
          modelCode: v.model.code,
          dealerCode: v.dealerCode,
          createdAt: v.purchasedAt,
          updatedAt: v.purchasedAt,
        })),
      ),
    ),
    insertChunked(
      dbs.vehicle,
      vehicleSchema.ownerships,
      bundles.flatMap((b) =>
        b.vehicles.map((v) => ({ vin: v.vin, customerId: v.customerId, startedAt: v.purchasedAt })),
      ),
    ),
    insertChunked(
      dbs.vehicle,
      vehicleSchema.mileageReadings,
      firstPerKey(
        bundles.flatMap((b) => [
          ...b.repairOrders.map((r) => ({
            vin: r.vin,
            km: r.mileageKm,
            source: 'SERVICE' as const,
            readAt: r.openedAt,
          })),
          ...b.vehicles.map((v) => ({
            vin: v.vin,
            km: v.mileageKm,
            source: 'TELEMATICS' as const,
            readAt: now,
          })),
        ]),
        // Two generated visits can open at the same instant (4 x 100 days = 5 x 80 days): one
        // reading per (vin, source, instant), as mileage_vin_source_read_uq demands.
        (m) => `${m.vin}|${m.source}|${m.readAt.getTime()}`,
      ),
    ),
    insertChunked(
      dbs.sales,
      salesSchema.leads,
      bundles.flatMap((b) => b.leads.map((l) => ({ ...l, updatedAt: l.createdAt }))),
    ),
    insertChunked(
      dbs.sales,
      salesSchema.salesOrders,
      bundles.flatMap((b) =>
        b.orders.map((o) => ({
          ...o,
          status: 'DELIVERED' as const,
          totalAmount: o.totalAmount.toFixed(2),
          updatedAt: o.deliveredAt,
        })),
      ),
    ),
    insertChunked(
      dbs.service,
      serviceSchema.repairOrders,
      bundles.flatMap((b) =>
        b.repairOrders.map((r) => ({
          id: r.id,
          dealerCode: r.dealerCode,
          externalId: r.externalId,
          vin: r.vin,
          customerId: r.customerId,
          status: r.status,
          mileageKm: r.mileageKm,
          totalAmount: r.lines.reduce((sum, l) => sum + l.quantity * l.unitPrice, 0).toFixed(2),
          openedAt: r.openedAt,
          closedAt: r.closedAt,
          createdAt: r.openedAt,
          updatedAt: r.closedAt ?? r.openedAt,
        })),
      ),
    ),
    insertChunked(
      dbs.service,
      serviceSchema.repairOrderLines,
      bundles.flatMap((b) =>
        b.repairOrders.flatMap((r) =>
          r.lines.map((l, position) => ({
            repairOrderId: r.id,
            position,
            kind: l.kind,
            description: l.description,
            quantity: String(l.quantity),
            unitPrice: l.unitPrice.toFixed(2),
          })),
        ),
      ),
    ),
    insertChunked(
      dbs.service,
      serviceSchema.complaints,
      bundles.flatMap((b) => b.complaints.map((x) => ({ ...x, channel: 'CALL_CENTER' }))),
    ),
    insertChunked(
      dbs.feedback,
      feedbackSchema.surveyResponses,
      bundles.flatMap((b) => b.surveyResponses),
    ),
  ]);
  return parts.reduce((a, b) => a + b, 0);
}
