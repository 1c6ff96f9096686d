import { randomUUID } from 'node:crypto';
import { vinCheckDigit } from '@cx/platform/domain/vin';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appointments } from '../src/db/schema.ts';
import {
  days,
  gql,
  gqlRaw,
  minutes,
  type ServiceStack,
  startServiceStack,
  type UserErrorShape,
} from './support.ts';

let stack: ServiceStack;
const customerId = randomUUID();

/** Valid VINs that differ in their serial. */
function vin(serial: number): string {
  const draft = `LGWC6H6A0RA${String(serial).padStart(6, '0')}`;
  return `${draft.slice(0, 8)}${vinCheckDigit(draft)}${draft.slice(9)}`;
}

/** An instant given as Shanghai wall-clock time (UTC+8). */
const shanghai = (local: string) => new Date(`${local}+08:00`);

interface AppointmentView {
  id: string;
  status: string;
  slotStart: string;
  slotEnd: string;
  channel: string;
  bookedBy: string;
  cancelledBy: string | null;
  cancelReason: string | null;
  vehicle: { vin: string };
  dealer: { code: string };
}
type Payload = { appointment: AppointmentView | null; userErrors: UserErrorShape[] };
const fields =
  'id status slotStart slotEnd channel bookedBy cancelledBy cancelReason vehicle { vin } dealer { code }';

function book(input: { vin: string; slotStart: Date; dealerCode?: string; channel?: string }) {
  return gql<{ appointmentBook: Payload }>(
    stack,
    `mutation ($input: AppointmentBookInput!) { appointmentBook(input: $input) { appointment { ${fields} } userErrors { field code message } } }`,
    {
      input: {
        customerId,
        dealerCode: input.dealerCode ?? 'SH01',
        channel: input.channel ?? 'APP',
        vin: input.vin,
        slotStart: input.slotStart.toISOString(),
      },
    },
  ).then((d) => d.appointmentBook);
}

function cancel(appointmentId: string, reason?: string) {
  return gql<{ appointmentCancel: Payload }>(
    stack,
    `mutation ($input: AppointmentCancelInput!) { appointmentCancel(input: $input) { appointment { ${fields} } userErrors { field code message } } }`,
    { input: { appointmentId, reason } },
  ).then((d) => d.appointmentCancel);
}

beforeAll(async () => {
  stack = await startServiceStack('appointments');
  // Monday 2 March 2026, 10:00 in Shanghai.
  stack.clock.now = shanghai('2026-03-02T10:00:00');
});

afterAll(async () => {
  await stack?.close();
});

describe('service capacity', () => {
  it('gives a dealer without its own settings the default grid, and validates new settings field by field', async () => {
    const capacity = `query { serviceCapacity(dealerCode: "sh01") { dealer { code } bays slotMinutes opensAt closesAt configured } }`;
    expect((await gql<{ serviceCapacity: unknown }>(stack, capacity)).serviceCapacity).toEqual({
      dealer: { code: 'SH01' },
      bays: 4,
      slotMinutes: 60,
      opensAt: '08:00',
      closesAt: '18:00',
      configured: false,
    });
    const set = (input: Record<string, unknown>) =>
      gql<{ serviceCapacitySet: { serviceCapacity: unknown; userErrors: UserErrorShape[] } }>(
        stack,
        `mutation ($input: ServiceCapacitySetInput!) { serviceCapacitySet(input: $input) {
          serviceCapacity { bays slotMinutes opensAt closesAt configured } userErrors { field code message } } }`,
        { input },
      ).then((d) => d.serviceCapacitySet);
    const bad = await set({
      dealerCode: 'SH01',
      bays: 0,
      slotMinutes: 20,
      opensAt: '9am',
      closesAt: '12:00',
    });
    expect(bad.userErrors.map((e) => [e.field, e.code])).toEqual([
      ['bays', 'OUT_OF_RANGE'],
      ['slotMinutes', 'OUT_OF_RANGE'],
      ['opensAt', 'TIME_INVALID'],
    ]);
    expect(
      await set({ dealerCode: 'SH01', bays: 2, slotMinutes: 30, opensAt: '09:00', closesAt: '12:00' }),
    ).toEqual({
      serviceCapacity: { bays: 2, slotMinutes: 30, opensAt: '09:00', closesAt: '12:00', configured: true },
      userErrors: [],
    });
  });
});

describe('appointmentBook', () => {
  const slot = shanghai('2026-03-03T09:30:00');

  it('books slots on the dealer grid only, ahead of time and within the horizon', async () => {
    const cases: [Date, string][] = [
      [shanghai('2026-03-03T09:15:00'), 'off the 30-minute grid'],
      [shanghai('2026-03-03T08:30:00'), 'before opening'],
      [shanghai('2026-03-03T11:45:00'), 'ends after closing'],
      [shanghai('2026-03-02T09:30:00'), 'in the past'],
      [new Date(slot.getTime() + days(91)), 'beyond 90 days'],
    ];
    for (const [slotStart, label] of cases) {
      const result = await book({ vin: vin(1), slotStart });
      expect(result.appointment, label).toBeNull();
      expect(
        result.userErrors.map((e) => [e.field, e.code]),
        label,
      ).toEqual([['slotStart', 'SLOT_INVALID']]);
    }
    const ok = await book({ vin: vin(1), slotStart: slot });
    expect(ok.userErrors).toEqual([]);
    expect(ok.appointment).toMatchObject({
      status: 'BOOKED',
      slotStart: slot.toISOString(),
      slotEnd: new Date(slot.getTime() + minutes(30)).toISOString(),
      bookedBy: stack.clock.actor,
      dealer: { code: 'SH01' },
    });
  });

  it('never books a slot beyond its bays, even when many customers book at once', async () => {
    const busy = shanghai('2026-03-04T10:00:00');
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => book({ vin: vin(100 + i), slotStart: busy })),
    );
    const booked = results.filter((r) => r.appointment);
    expect(booked).toHaveLength(2);
    expect(results.filter((r) => r.userErrors[0]?.code === 'SLOT_FULL')).toHaveLength(4);
    const rows = await stack.database.db.select().from(appointments).where(eq(appointments.slotStart, busy));
    expect(rows.filter((r) => r.status === 'BOOKED')).toHaveLength(2);
    // Cancelling frees a bay for the next customer.
    const freed = await cancel(booked[0]!.appointment!.id, 'customer travels');
    expect(freed.appointment).toMatchObject({
      status: 'CANCELLED',
      cancelledBy: stack.clock.actor,
      cancelReason: 'customer travels',
    });
    expect((await book({ vin: vin(200), slotStart: busy })).userErrors).toEqual([]);
    expect((await book({ vin: vin(201), slotStart: busy })).userErrors[0]!.code).toBe('SLOT_FULL');
  });

  it('keeps a vehicle to one booking at a time, across dealers', async () => {
    // BJ01 runs the default hourly grid: its 09:00 slot overlaps the 09:30 booking at SH01.
    const overlapping = shanghai('2026-03-03T09:00:00');
    const result = await book({ vin: vin(1), slotStart: overlapping, dealerCode: 'BJ01', channel: 'PHONE' });
    expect(result.userErrors).toEqual([
      { field: 'vin', code: 'VEHICLE_ALREADY_BOOKED', message: 'vin: already has a booking at this time' },
    ]);
  });

  it('lets a walk-in take the slot under way, but not an app booking', async () => {
    stack.clock.now = shanghai('2026-03-02T10:10:00');
    const current = shanghai('2026-03-02T10:00:00');
    expect((await book({ vin: vin(300), slotStart: current, channel: 'APP' })).userErrors[0]!.message).toBe(
      'slotStart: lies in the past',
    );
    expect((await book({ vin: vin(300), slotStart: current, channel: 'WALK_IN' })).appointment?.channel).toBe(
      'WALK_IN',
    );
  });

  it('refuses to cancel twice or once the slot has started', async () => {
    const later = shanghai('2026-03-05T11:00:00');
    const { appointment } = await book({ vin: vin(400), slotStart: later });
    await cancel(appointment!.id);
    expect((await cancel(appointment!.id)).userErrors).toEqual([
      {
        field: 'appointmentId',
        code: 'ILLEGAL_TRANSITION',
        message: 'appointmentId: an appointment cannot move from CANCELLED to CANCELLED',
      },
    ]);
    const started = await book({ vin: vin(401), slotStart: shanghai('2026-03-02T11:00:00') });
    stack.clock.now = shanghai('2026-03-02T11:05:00');
    expect((await cancel(started.appointment!.id)).userErrors[0]!.code).toBe('APPOINTMENT_STARTED');
  });
});

describe('appointments listing', () => {
  it('lists a dealer window, latest slot first, and a customer history, with checked arguments', async () => {
    const list = await gql<{ appointments: { totalCount: number; nodes: AppointmentView[] } }>(
      stack,
      `query { appointments(dealerCode: "SH01", from: "2026-03-03T00:00:00Z", to: "2026-03-05T00:00:00Z", first: 10) {
        totalCount nodes { slotStart status } } }`,
    );
    const starts = list.appointments.nodes.map((n) => n.slotStart);
    expect(starts).toEqual([...starts].sort().reverse());
    expect(starts.every((s) => s >= '2026-03-03T00:00:00.000Z' && s < '2026-03-05T00:00:00.000Z')).toBe(true);
    const rows = await stack.database.db
      .select()
      .from(appointments)
      .where(eq(appointments.dealerCode, 'SH01'));
    const inWindow = rows.filter(
      (r) =>
        r.slotStart >= new Date('2026-03-03T00:00:00Z') && r.slotStart < new Date('2026-03-05T00:00:00Z'),
    );
    expect(list.appointments.totalCount).toBe(inWindow.length);

    const reversed = await gqlRaw(
      stack,
      `query { appointments(dealerCode: "SH01", from: "2026-03-05T00:00:00Z", to: "2026-03-03T00:00:00Z") { totalCount } }`,
    );
    expect(reversed.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'to' });

    const mine = await gql<{ _entities: { appointments: { totalCount: number } }[] }>(
      stack,
      'query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Customer { appointments { totalCount } } } }',
      { reps: [{ __typename: 'Customer', id: customerId }] },
    );
    const all = await stack.database.db
      .select()
      .from(appointments)
      .where(eq(appointments.customerId, customerId));
    expect(mine._entities[0]!.appointments.totalCount).toBe(all.length);
  });
});
