import { schema as customerSchema } from '@cx/customer';
import { schema as vehicleSchema } from '@cx/vehicle';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { models } from '../../bench/src/catalog.ts';
import { vinFor } from '../../bench/src/dataset.ts';
import { startTestStack, type TestStack } from '../helpers/testStack.ts';

const h6 = models.find((m) => m.code === 'HAVAL-H6-2024')!;
const vin = (serial: number) => vinFor(h6, 2024, 700_000 + serial);

interface IngestResult {
  vehiclesIngest: {
    results: { index: number; vin: string; outcome: string }[];
    userErrors: { index: number; field: string; code: string; message: string }[];
  };
}
const ingest = `mutation ($input: VehiclesIngestInput!) {
  vehiclesIngest(input: $input) { results { index vin outcome } userErrors { index field code message } }
}`;

interface MileageResult {
  vehicleMileageRecord: {
    results: {
      index: number;
      vin: string;
      outcome: string;
      reading: { km: number; source: string; readAt: string };
    }[];
    userErrors: { index: number; field: string; code: string; message: string }[];
  };
}
const record = `mutation ($input: VehicleMileageRecordInput!) {
  vehicleMileageRecord(input: $input) {
    results { index vin outcome reading { km source readAt } }
    userErrors { index field code message }
  }
}`;

describe('vehicle subgraph through the gateway', () => {
  let stack: TestStack;
  let first: string;
  let second: string;
  beforeAll(async () => {
    // A few demo customers (and the model catalog) to own vehicles.
    stack = await startTestStack('vehicle_lifecycle', { customers: 4 });
    const rows = await stack.dbs.customer
      .select({ id: customerSchema.customers.id })
      .from(customerSchema.customers)
      .orderBy(customerSchema.customers.id)
      .limit(2);
    [first, second] = rows.map((r) => r.id) as [string, string];
  });
  afterAll(async () => {
    await stack?.stop();
  });

  describe('model catalog', () => {
    const catalog = `query ($brand: String, $powertrain: Powertrain, $priceMin: String, $priceMax: String) {
      vehicleModels(brand: $brand, powertrain: $powertrain, priceMin: $priceMin, priceMax: $priceMax) {
        code brand series name modelYear powertrain priceBand { min { amount currency } max { amount } }
      }
    }`;
    type Catalog = {
      vehicleModels: { code: string; priceBand: { min: { amount: string }; max: { amount: string } } }[];
    };

    it('filters by brand (any case), powertrain and a price range that overlaps the band', async () => {
      const byBrand = await stack.graphql<Catalog>(catalog, { brand: 'haval' });
      expect(byBrand.data!.vehicleModels.map((m) => m.code).sort()).toEqual(
        models
          .filter((m) => m.brand === 'Haval')
          .map((m) => m.code)
          .sort(),
      );
      const phev = await stack.graphql<Catalog>(catalog, { powertrain: 'PHEV' });
      expect(phev.data!.vehicleModels.map((m) => m.code).sort()).toEqual(
        models
          .filter((m) => m.powertrain === 'PHEV')
          .map((m) => m.code)
          .sort(),
      );
      const band = { priceMin: '150000', priceMax: '200000.50' };
      const priced = await stack.graphql<Catalog>(catalog, band);
      const overlapping = models.filter(
        (m) => Number(m.priceMax) >= Number(band.priceMin) && Number(m.priceMin) <= Number(band.priceMax),
      );
      expect(overlapping.length).toBeGreaterThan(0);
      expect(priced.data!.vehicleModels.map((m) => m.code).sort()).toEqual(
        overlapping.map((m) => m.code).sort(),
      );
      const combined = await stack.graphql<Catalog>(catalog, {
        brand: 'WEY',
        powertrain: 'PHEV',
        priceMax: '250000',
      });
      expect(combined.data!.vehicleModels.map((m) => m.code)).toEqual(
        models
          .filter((m) => m.brand === 'WEY' && m.powertrain === 'PHEV' && Number(m.priceMin) <= 250000)
          .map((m) => m.code),
      );
    });

    it('rejects a malformed or inverted price range, naming the argument', async () => {
      const malformed = await stack.graphql(catalog, { priceMin: '1e5' });
      expect(malformed.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'priceMin' });
      const inverted = await stack.graphql(catalog, { priceMin: '300000', priceMax: '100000' });
      expect(inverted.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'priceMax' });
    });

    it('looks a model up by code', async () => {
      const res = await stack.graphql<{
        vehicleModel: { name: string; priceBand: { min: { amount: string } } };
      }>(`{ vehicleModel(code: "haval-h6-2024") { name priceBand { min { amount } } } }`);
      expect(res.data!.vehicleModel).toEqual({
        name: h6.name,
        priceBand: { min: { amount: `${h6.priceMin}.00` } },
      });
    });
  });

  describe('ownership', () => {
    const ownersQuery = `query ($vin: String!) {
      vehicle(vin: $vin) { purchasedAt currentOwner { id } owners { customer { id } startedAt endedAt } }
    }`;
    type Owners = {
      vehicle: {
        purchasedAt: string;
        currentOwner: { id: string };
        owners: { customer: { id: string }; startedAt: string; endedAt: string | null }[];
      };
    };

    it('transfers a vehicle through ingest, keeping the history newest first', async () => {
      const v = vin(1);
      const sold = '2025-01-10T02:00:00.000Z';
      const resold = '2026-06-01T02:00:00.000Z';
      const created = await stack.graphql<IngestResult>(ingest, {
        input: { records: [{ vin: v, modelCode: h6.code, ownerCustomerId: first, purchasedAt: sold }] },
      });
      expect(created.data!.vehiclesIngest.results[0]!.outcome).toBe('CREATED');
      const transfer = { vin: v, modelCode: h6.code, ownerCustomerId: second, purchasedAt: resold };
      const moved = await stack.graphql<IngestResult>(ingest, { input: { records: [transfer] } });
      expect(moved.data!.vehiclesIngest.results[0]!.outcome).toBe('UPDATED');
      const again = await stack.graphql<IngestResult>(ingest, { input: { records: [transfer] } });
      expect(again.data!.vehiclesIngest.results[0]!.outcome).toBe('UNCHANGED');

      const owners = await stack.graphql<Owners>(ownersQuery, { vin: v });
      expect(owners.data!.vehicle).toEqual({
        purchasedAt: resold,
        currentOwner: { id: second },
        owners: [
          { customer: { id: second }, startedAt: resold, endedAt: null },
          { customer: { id: first }, startedAt: sold, endedAt: resold },
        ],
      });
      // Customer.vehicles lists current vehicles only: the first owner's no longer includes it.
      const fleet = async (id: string) => {
        const res = await stack.graphql<{ customer: { vehicles: { vin: string }[] } }>(
          `query ($id: ID!) { customer(id: $id) { vehicles { vin } } }`,
          { id },
        );
        return res.data!.customer.vehicles.map((x) => x.vin);
      };
      expect(await fleet(second)).toContain(v);
      expect(await fleet(first)).not.toContain(v);
      const rows = await stack.dbs.vehicle
        .select()
        .from(vehicleSchema.ownerships)
        .where(eq(vehicleSchema.ownerships.vin, v));
      expect(rows).toHaveLength(2);
    });

    it('refuses a transfer dated before the current owner took over, and applies the rest of the batch', async () => {
      const res = await stack.graphql<IngestResult>(ingest, {
        input: {
          records: [
            { vin: vin(1), modelCode: h6.code, ownerCustomerId: first, purchasedAt: '2026-01-01T00:00:00Z' },
            { vin: vin(2), modelCode: h6.code, ownerCustomerId: first, purchasedAt: '2026-01-01T00:00:00Z' },
          ],
        },
      });
      expect(res.data!.vehiclesIngest.userErrors).toEqual([
        {
          index: 0,
          field: 'purchasedAt',
          code: 'OWNERSHIP_DATE_CONFLICT',
          message: "purchasedAt: is before the current owner's start (2026-06-01T02:00:00.000Z)",
        },
      ]);
      expect(res.data!.vehiclesIngest.results.map((r) => [r.index, r.outcome])).toEqual([[1, 'CREATED']]);
      const owners = await stack.graphql<Owners>(ownersQuery, { vin: vin(1) });
      expect(owners.data!.vehicle.currentOwner.id).toBe(second);
    });
  });

  describe('mileage', () => {
    const v = vin(10);
    const at = (day: number) => new Date(Date.UTC(2026, 0, day, 2)).toISOString();

    beforeAll(async () => {
      await stack.graphql(ingest, { input: { records: [{ vin: v, modelCode: h6.code }] } });
    });

    it('records readings from visits and telematics, idempotently, and serves the latest and the history', async () => {
      const readings = [
        { vin: v, km: 1_200, source: 'TELEMATICS', readAt: at(1) },
        { vin: v, km: 3_400, source: 'SERVICE', readAt: at(20) },
        { vin: v, km: 2_100, source: 'TELEMATICS', readAt: at(10) },
      ];
      const first = await stack.graphql<MileageResult>(record, { input: { readings } });
      expect(first.data!.vehicleMileageRecord.userErrors).toEqual([]);
      expect(first.data!.vehicleMileageRecord.results.map((r) => [r.index, r.outcome])).toEqual([
        [0, 'RECORDED'],
        [1, 'RECORDED'],
        [2, 'RECORDED'],
      ]);
      const again = await stack.graphql<MileageResult>(record, { input: { readings } });
      expect(again.data!.vehicleMileageRecord.results.map((r) => r.outcome)).toEqual([
        'UNCHANGED',
        'UNCHANGED',
        'UNCHANGED',
      ]);
      const view = await stack.graphql<{
        vehicle: {
          mileageKm: number;
          mileageReadings: {
            totalCount: number;
            nodes: { km: number; source: string; readAt: string }[];
            pageInfo: { hasNextPage: boolean; endCursor: string };
          };
        };
      }>(
        `query ($vin: String!, $after: String) { vehicle(vin: $vin) { mileageKm
          mileageReadings(first: 2, after: $after) { totalCount nodes { km source readAt } pageInfo { hasNextPage endCursor } } } }`,
        { vin: v },
      );
      expect(view.data!.vehicle.mileageKm).toBe(3_400);
      expect(view.data!.vehicle.mileageReadings).toMatchObject({
        totalCount: 3,
        nodes: [
          { km: 3_400, source: 'SERVICE', readAt: at(20) },
          { km: 2_100, source: 'TELEMATICS', readAt: at(10) },
        ],
        pageInfo: { hasNextPage: true },
      });
      const rest = await stack.graphql<{ vehicle: { mileageReadings: { nodes: { km: number }[] } } }>(
        `query ($vin: String!, $after: String) { vehicle(vin: $vin) { mileageReadings(first: 2, after: $after) { nodes { km } } } }`,
        { vin: v, after: view.data!.vehicle.mileageReadings.pageInfo.endCursor },
      );
      expect(rest.data!.vehicle.mileageReadings.nodes).toEqual([{ km: 1_200 }]);
    });

    it('rejects readings that would run the odometer backwards or contradict a stored one, keeping the good ones', async () => {
      const res = await stack.graphql<MileageResult>(record, {
        input: {
          readings: [
            { vin: v, km: 3_000, source: 'TELEMATICS', readAt: at(25) },
            { vin: v, km: 2_500, source: 'TELEMATICS', readAt: at(5) },
            { vin: v, km: 1_300, source: 'TELEMATICS', readAt: at(1) },
            { vin: vin(99), km: 10, source: 'TELEMATICS', readAt: at(1) },
            { vin: v, km: -1, source: 'SERVICE', readAt: '2099-01-01T00:00:00Z' },
            { vin: v, km: 3_600, source: 'SERVICE', readAt: at(26) },
            { vin: v, km: 3_500, source: 'TELEMATICS', readAt: at(27) },
          ],
        },
      });
      expect(res.data!.vehicleMileageRecord.userErrors).toEqual([
        { index: 0, field: 'km', code: 'MILEAGE_DECREASED', message: 'km: is below 3,400 km read earlier' },
        { index: 1, field: 'km', code: 'MILEAGE_DECREASED', message: 'km: is above 2,100 km read later' },
        {
          index: 2,
          field: 'km',
          code: 'MILEAGE_CONFLICT',
          message: 'km: 1,200 km is already recorded for this source and instant',
        },
        {
          index: 3,
          field: 'vin',
          code: 'VEHICLE_NOT_FOUND',
          message: 'vin: no vehicle has this VIN; ingest the vehicle first',
        },
        {
          index: 4,
          field: 'km',
          code: 'MILEAGE_OUT_OF_RANGE',
          message: 'km: must be between 0 and 2,000,000',
        },
        { index: 4, field: 'readAt', code: 'DATE_IN_FUTURE', message: 'readAt: lies in the future' },
        { index: 6, field: 'km', code: 'MILEAGE_DECREASED', message: 'km: is below 3,600 km read earlier' },
      ]);
      expect(res.data!.vehicleMileageRecord.results.map((r) => [r.index, r.outcome])).toEqual([
        [5, 'RECORDED'],
      ]);
      const latest = await stack.graphql<{ vehicle: { mileageKm: number } }>(
        `query ($vin: String!) { vehicle(vin: $vin) { mileageKm } }`,
        { vin: v },
      );
      expect(latest.data!.vehicle.mileageKm).toBe(3_600);
    });
  });
});
