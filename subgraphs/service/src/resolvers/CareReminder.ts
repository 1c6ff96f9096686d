import type { CareReminderRow } from '../db/schema.ts';

export const CareReminder = {
  vehicle: (r: CareReminderRow) => ({ vin: r.vin }),
  customer: (r: CareReminderRow) => (r.customerId ? { id: r.customerId } : null),
  dealer: (r: CareReminderRow) => (r.dealerCode ? { code: r.dealerCode } : null),
};
