import { randomUUID } from 'node:crypto';
import { type VinErrorCode, validateVin } from '@cx/platform/domain/vin';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../helpers/testStack.ts';

/** One VIN per error class, each otherwise as close to valid as possible. */
const badVins: Record<VinErrorCode, string> = {
  VIN_LENGTH: 'LGWC6H6A3RA00001',
  VIN_CHARACTER: 'LGWC6H6A3RAO00017',
  VIN_MODEL_YEAR: 'LGWC6H6A3UA000017',
  VIN_CHECK_DIGIT: 'LGWC6H6A0RA000017',
};

interface PayloadError {
  index?: number;
  field: string;
  code: string;
  message: string;
}

/** Every GraphQL entry point that takes a VIN, and how it reports a bad one. */
const entryPoints: { name: string; run: (stack: TestStack, vin: string) => Promise<PayloadError[]> }[] = [
  {
    name: 'vehiclesIngest',
    run: async (stack, vin) => {
      const res = await stack.graphql<{ vehiclesIngest: { userErrors: PayloadError[] } }>(
        `mutation ($input: VehiclesIngestInput!) { vehiclesIngest(input: $input) { userErrors { index field code message } } }`,
        { input: { records: [{ vin, modelCode: 'HAVAL-H6-2024' }] } },
      );
      return res.data!.vehiclesIngest.userErrors;
    },
  },
  {
    name: 'vehicleMileageRecord',
    run: async (stack, vin) => {
      const res = await stack.graphql<{ vehicleMileageRecord: { userErrors: PayloadError[] } }>(
        `mutation ($input: VehicleMileageRecordInput!) { vehicleMileageRecord(input: $input) { userErrors { index field code message } } }`,
        { input: { readings: [{ vin, km: 1000, source: 'TELEMATICS', readAt: '2026-01-01T00:00:00Z' }] } },
      );
      return res.data!.vehicleMileageRecord.userErrors;
    },
  },
  {
    name: 'repairOrdersIngest',
    run: async (stack, vin) => {
      const res = await stack.graphql<{ repairOrdersIngest: { userErrors: PayloadError[] } }>(
        `mutation ($input: RepairOrdersIngestInput!) { repairOrdersIngest(input: $input) { userErrors { index field code message } } }`,
        {
          input: {
            records: [{ dealerCode: 'SH01', externalId: 'RO-1', vin, openedAt: '2026-01-01T00:00:00Z' }],
          },
        },
      );
      return res.data!.repairOrdersIngest.userErrors;
    },
  },
  {
    name: 'appointmentBook',
    run: async (stack, vin) => {
      const res = await stack.graphql<{ appointmentBook: { userErrors: PayloadError[] } }>(
        `mutation ($input: AppointmentBookInput!) { appointmentBook(input: $input) { userErrors { field code message } } }`,
        {
          input: {
            customerId: randomUUID(),
            vin,
            dealerCode: 'SH01',
            slotStart: '2030-01-01T02:00:00Z',
            channel: 'APP',
          },
        },
      );
      return res.data!.appointmentBook.userErrors;
    },
  },
  {
    name: 'roadsideCaseOpen',
    run: async (stack, vin) => {
      const res = await stack.graphql<{ roadsideCaseOpen: { userErrors: PayloadError[] } }>(
        `mutation ($input: RoadsideCaseOpenInput!) { roadsideCaseOpen(input: $input) { userErrors { field code message } } }`,
        { input: { customerId: randomUUID(), vin, kind: 'BATTERY', location: 'Pudong airport P3' } },
      );
      return res.data!.roadsideCaseOpen.userErrors;
    },
  },
];

describe('every VIN error class through the gateway', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack('vehicle_vin');
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('has one sample per class that the validator puts in that class', () => {
    for (const [code, vin] of Object.entries(badVins)) {
      const result = validateVin(vin);
      expect(result.ok ? 'ok' : result.code, vin).toBe(code);
    }
  });

  for (const [code, vin] of Object.entries(badVins)) {
    it(`vehicle(vin) rejects ${code} as BAD_USER_INPUT naming the field and the class`, async () => {
      const res = await stack.graphql(`query ($vin: String!) { vehicle(vin: $vin) { vin } }`, { vin });
      const expected = validateVin(vin);
      expect(res.errors).toHaveLength(1);
      expect(res.errors![0]!.extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'vin',
        reason: code,
      });
      expect(res.errors![0]!.message).toBe(`vin: ${expected.ok ? '' : expected.message}`);
    });

    for (const entry of entryPoints) {
      it(`${entry.name} reports ${code} for the record, with its own message`, async () => {
        const errors = await entry.run(stack, vin);
        const expected = validateVin(vin);
        expect(errors).toHaveLength(1);
        expect(errors[0]).toMatchObject({
          field: 'vin',
          code,
          message: `vin: ${expected.ok ? '' : expected.message}`,
        });
      });
    }
  }

  it('accepts a VIN with stray spaces and lower case, normalized', async () => {
    const res = await stack.graphql<{ vehiclesIngest: { results: { vin: string; outcome: string }[] } }>(
      `mutation ($input: VehiclesIngestInput!) { vehiclesIngest(input: $input) { results { vin outcome } userErrors { code } } }`,
      {
        input: {
          records: [{ vin: ' lgwc6h6a3ra000017 ', modelCode: 'HAVAL-H6-2024' }],
        },
      },
    );
    // The catalog is empty in this stack: the VIN itself passed, and the model is what is reported.
    expect(res.data).toEqual({ vehiclesIngest: { results: [], userErrors: [{ code: 'UNKNOWN_MODEL' }] } });
  });
});
