import { IngestVehiclesDocument, type VehicleRecordInput } from '@cx/web';
import type { EntitySpec } from './entity.ts';

/** Vehicles: idempotent by VIN; the owner is named by the customer's DMS externalId. */
export const vehicles: EntitySpec<VehicleRecordInput> = {
  name: 'vehicles',
  requiredColumns: ['vin', 'modelCode'],
  parse(r, context) {
    const vin = r.text('vin', true)?.toUpperCase();
    const modelCode = r.text('modelCode', true);
    const color = r.text('color');
    const dealerCode = r.text('dealerCode') ?? context.defaultDealer;
    const ownerExternalId = r.text('ownerExternalId');
    const ownerCustomerId = r.text('ownerCustomerId');
    const purchasedAt = r.dateTime('purchasedAt');
    const mileageKm = r.int('mileageKm');
    if (r.issues.length > 0) return undefined;
    return {
      input: { vin: vin!, modelCode: modelCode!, color, dealerCode, ownerCustomerId, purchasedAt, mileageKm },
      key: { field: 'vin', value: vin! },
      customerRef: ownerExternalId ? { field: 'ownerExternalId', externalId: ownerExternalId } : undefined,
    };
  },
  withCustomer: (input, customerId) => ({ ...input, ownerCustomerId: customerId }),
  async send(client, records) {
    return (await client.request(IngestVehiclesDocument, { input: { records } })).vehiclesIngest;
  },
};
