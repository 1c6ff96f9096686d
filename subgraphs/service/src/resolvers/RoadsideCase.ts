import type { RoadsideCaseRow } from '../db/schema.ts';

export const RoadsideCase = {
  customer: (c: RoadsideCaseRow) => ({ id: c.customerId }),
  vehicle: (c: RoadsideCaseRow) => ({ vin: c.vin }),
  dealer: (c: RoadsideCaseRow) => (c.dealerCode ? { code: c.dealerCode } : null),
};
