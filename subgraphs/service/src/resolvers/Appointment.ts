import type { Capacity } from '../appointments/capacity.ts';
import type { AppointmentRow } from '../db/schema.ts';
import { formatClock } from '../time.ts';

export const Appointment = {
  customer: (a: AppointmentRow) => ({ id: a.customerId }),
  vehicle: (a: AppointmentRow) => ({ vin: a.vin }),
  dealer: (a: AppointmentRow) => ({ code: a.dealerCode }),
};

export const ServiceCapacity = {
  dealer: (c: Capacity) => ({ code: c.dealerCode }),
  opensAt: (c: Capacity) => formatClock(c.opensAtMinute),
  closesAt: (c: Capacity) => formatClock(c.closesAtMinute),
};
