import { type ConsentPurpose, type CustomerRecordInput, IngestCustomersDocument } from '@cx/web';
import type { EntitySpec } from './entity.ts';

// A Record, not a list: adding a purpose to the schema fails the typecheck here until it is mapped.
const purposes: Record<ConsentPurpose, true> = {
  MARKETING_SMS: true,
  MARKETING_PUSH: true,
  DATA_SHARING_DEALER: true,
  SENSITIVE_ID: true,
};

/** Customers: idempotent by (DMS, externalId); every record of this kit has source DMS. */
export const customers: EntitySpec<CustomerRecordInput> = {
  name: 'customers',
  requiredColumns: ['externalId', 'name'],
  parse(r) {
    const externalId = r.text('externalId', true);
    const name = r.text('name', true);
    const phone = r.text('phone');
    const phoneVerified = r.bool('phoneVerified');
    const nationalId = r.text('nationalId');
    const email = r.text('email');
    const city = r.text('city');
    const province = r.text('province');
    const observedAt = r.dateTime('observedAt');
    const consents = r.list('consents', ['purpose', 'granted'], ':')?.map((c) => ({
      purpose: c.oneOf('purpose', purposes, true)!,
      granted: c.bool('granted') ?? false,
    }));
    if (r.issues.length > 0) return undefined;
    return {
      input: {
        source: 'DMS',
        externalId: externalId!,
        name: name!,
        phone,
        phoneVerified,
        nationalId,
        email,
        city,
        province,
        observedAt,
        consents,
      },
      key: { field: 'externalId', value: externalId! },
    };
  },
  withCustomer: (input) => input,
  async send(client, records) {
    return (await client.request(IngestCustomersDocument, { input: { records } })).customersIngest;
  },
};
