import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCareReminders } from '../src/care/reminders.ts';
import { careReminders } from '../src/db/schema.ts';
import { recordVehicleFacts } from '../src/facts/vehicleFacts.ts';
import { addShanghaiMonths } from '../src/time.ts';
import { days, gql, type ServiceStack, startServiceStack, type UserErrorShape } from './support.ts';

let stack: ServiceStack;
const alice = randomUUID();
const bob = randomUUID();
const vins = { tips: 'LGWC6H6A3RA000017', first: 'LGWC6H6A2RA000025', periodic: 'LGWC6H6A1RA000033' };

interface Reminder {
  id: string;
  kind: string;
  duePeriod: string;
  dueAt: string;
  status: string;
  reason: string;
  vehicle: { vin: string };
  customer: { id: string } | null;
  dealer: { code: string } | null;
  closedBy: string | null;
}
const reminderFields =
  'id kind duePeriod dueAt status reason vehicle { vin } customer { id } dealer { code } closedBy';

interface GenerateData {
  careRemindersGenerate: { vehiclesScanned: number; created: number; userErrors: UserErrorShape[] };
}
const generate = (asOf: Date) =>
  gql<GenerateData>(
    stack,
    'mutation ($asOf: DateTime!) { careRemindersGenerate(input: { asOf: $asOf }) { vehiclesScanned created userErrors { field code message } } }',
    { asOf: asOf.toISOString() },
  ).then((d) => d.careRemindersGenerate);

async function ofDealer(dealerCode: string, status?: string) {
  const data = await gql<{ careReminders: { totalCount: number; nodes: Reminder[] } }>(
    stack,
    `query ($dealerCode: String!, $status: CareReminderStatus) {
      careReminders(dealerCode: $dealerCode, status: $status, first: 50) { totalCount nodes { ${reminderFields} } }
    }`,
    { dealerCode, status },
  );
  return data.careReminders;
}

async function ofCustomer(id: string, status?: string) {
  const data = await gql<{ _entities: { careReminders: { totalCount: number; nodes: Reminder[] } }[] }>(
    stack,
    `query ($reps: [_Any!]!, $status: CareReminderStatus) {
      _entities(representations: $reps) { ... on Customer { careReminders(status: $status, first: 50) { totalCount nodes { ${reminderFields} } } } }
    }`,
    { reps: [{ __typename: 'Customer', id }], status },
  );
  return data._entities[0]!.careReminders;
}

beforeAll(async () => {
  stack = await startServiceStack('care');
  const now = stack.clock.now;
  // Facts as the event consumer will deliver them (sales: delivery, vehicle: owner and mileage).
  await recordVehicleFacts(
    stack.database.db,
    [
      {
        vin: vins.tips,
        customerId: alice,
        dealerCode: 'SH01',
        deliveredAt: new Date(now.getTime() - days(8)),
      },
      { vin: vins.first, customerId: alice, dealerCode: 'SH01', deliveredAt: addShanghaiMonths(now, -6) },
      {
        vin: vins.periodic,
        customerId: bob,
        dealerCode: 'BJ01',
        deliveredAt: addShanghaiMonths(now, -10),
        mileageKm: 14_800,
        mileageAt: now,
      },
    ],
    now,
  );
});

afterAll(async () => {
  await stack?.close();
});

describe('care reminders', () => {
  it('generates each due reminder exactly once, however often and concurrently the job runs', async () => {
    const asOf = stack.clock.now;
    const first = await generate(asOf);
    expect(first).toEqual({ vehiclesScanned: 3, created: 3, userErrors: [] });
    expect(await generate(asOf)).toEqual({ vehiclesScanned: 3, created: 0, userErrors: [] });
    // The scheduler's entry point, run twice at once, adds nothing either.
    const concurrent = await Promise.all([
      generateCareReminders(stack.database.db, asOf, asOf),
      generateCareReminders(stack.database.db, asOf, asOf),
    ]);
    expect(concurrent.map((r) => r.created)).toEqual([0, 0]);
    const rows = await stack.database.db.select().from(careReminders);
    expect(rows.map((r) => `${r.vin}/${r.kind}/${r.duePeriod}`).sort()).toEqual(
      [
        `${vins.first}/FIRST_MAINTENANCE/FIRST`,
        `${vins.periodic}/PERIODIC_MAINTENANCE/P1`,
        `${vins.tips}/DELIVERY_TIPS/D7`,
      ].sort(),
    );
  });

  it('lists reminders per dealer and per customer, with their reason', async () => {
    const sh01 = await ofDealer('SH01');
    expect(sh01.totalCount).toBe(2);
    // Latest due date first: the first service is due today, the tips were due yesterday.
    expect(sh01.nodes.map((n) => n.kind)).toEqual(['FIRST_MAINTENANCE', 'DELIVERY_TIPS']);
    expect(sh01.nodes[0]).toMatchObject({
      vehicle: { vin: vins.first },
      customer: { id: alice },
      dealer: { code: 'SH01' },
      status: 'PENDING',
      reason: '6 months since delivery: first service due',
    });
    const bobs = await ofCustomer(bob);
    expect(bobs.nodes).toMatchObject([
      {
        kind: 'PERIODIC_MAINTENANCE',
        duePeriod: 'P1',
        reason: '14,800 km on the clock: service 1 due at 15,000 km',
      },
    ]);
  });

  it('marks reminders done or dismissed once, attributed, and filters by status', async () => {
    const [first, tips] = (await ofDealer('SH01')).nodes;
    stack.clock.actor = 'service_advisor:advisor-9';
    const mark = (careReminderId: string, status: string) =>
      gql<{ careReminderMark: { careReminder: Reminder | null; userErrors: UserErrorShape[] } }>(
        stack,
        `mutation ($input: CareReminderMarkInput!) { careReminderMark(input: $input) { careReminder { ${reminderFields} } userErrors { field code message } } }`,
        { input: { careReminderId, status } },
      ).then((d) => d.careReminderMark);
    expect((await mark(tips!.id, 'DISMISSED')).careReminder).toMatchObject({
      status: 'DISMISSED',
      closedBy: 'service_advisor:advisor-9',
    });
    expect((await mark(first!.id, 'DONE')).careReminder!.status).toBe('DONE');
    expect((await mark(first!.id, 'DISMISSED')).userErrors).toEqual([
      {
        field: 'status',
        code: 'ILLEGAL_TRANSITION',
        message: 'status: a care reminder cannot move from DONE to DISMISSED',
      },
    ]);
    expect((await mark(first!.id, 'PENDING')).userErrors[0]!.code).toBe('ILLEGAL_TRANSITION');
    expect((await ofCustomer(alice, 'PENDING')).totalCount).toBe(0);
    expect((await ofCustomer(alice, 'DONE')).nodes.map((n) => n.id)).toEqual([first!.id]);
    // A closed reminder is not generated again.
    expect((await generate(stack.clock.now)).created).toBe(0);
  });

  it('follows visits: a repair order feeds the mileage and the last visit into the rules', async () => {
    const later = new Date(stack.clock.now.getTime() + days(1));
    await gql(
      stack,
      `mutation ($input: RepairOrdersIngestInput!) { repairOrdersIngest(input: $input) { userErrors { code } } }`,
      {
        input: {
          records: [
            {
              dealerCode: 'BJ01',
              externalId: 'RO-P',
              vin: vins.periodic,
              customerId: bob,
              mileageKm: 25_100,
              openedAt: later.toISOString(),
            },
          ],
        },
      },
    );
    stack.clock.now = later;
    // 25,100 km passes the second service; the visit itself counts for it, so nothing new.
    expect((await generate(later)).created).toBe(0);
    const twoMonthsOn = addShanghaiMonths(later, 3);
    stack.clock.now = twoMonthsOn;
    await stack.database.db.transaction((tx) =>
      recordVehicleFacts(
        tx,
        [{ vin: vins.periodic, mileageKm: 35_200, mileageAt: twoMonthsOn }],
        twoMonthsOn,
      ),
    );
    expect((await generate(twoMonthsOn)).created).toBe(1);
    expect((await ofCustomer(bob)).nodes.map((n) => n.duePeriod)).toEqual(['P3', 'P1']);
  });

  it('refuses to generate for a date ahead of the clock', async () => {
    const ahead = new Date(stack.clock.now.getTime() + days(3));
    expect(await generate(ahead)).toEqual({
      vehiclesScanned: 0,
      created: 0,
      userErrors: [{ field: 'asOf', code: 'DATE_IN_FUTURE', message: 'asOf: may be at most one day ahead' }],
    });
  });
});
