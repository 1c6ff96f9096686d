import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RepairOrderStatus, repairOrders } from '../src/db/schema.ts';
import { recordVehicleFacts } from '../src/facts/vehicleFacts.ts';
import { addShanghaiMonths } from '../src/time.ts';
import { gql, type ServiceStack, startServiceStack, type UserErrorShape } from './support.ts';

let stack: ServiceStack;
const customerId = randomUUID();
const VIN = 'LGWC6H6A3RA000017';
const OLD_VIN = 'LGWC6H6A2RA000025';

async function order(vin: string, status: RepairOrderStatus, mileageKm: number | null = 12_000) {
  const [row] = await stack.database.db
    .insert(repairOrders)
    .values({
      dealerCode: 'SH01',
      externalId: randomUUID(),
      vin,
      status,
      mileageKm,
      openedAt: stack.clock.now,
    })
    .returning();
  return row!.id;
}

interface ClaimView {
  id: string;
  status: string;
  amount: { amount: string; currency: string };
  filedBy: string;
  decidedBy: string | null;
  decisionNote: string | null;
  paidAt: string | null;
  repairOrder: { id: string; warrantyClaims: { id: string }[] };
}
type ClaimPayload = { warrantyClaim: ClaimView | null; userErrors: UserErrorShape[] };
const claimFields =
  'id status amount { amount currency } filedBy decidedBy decisionNote paidAt repairOrder { id warrantyClaims { id } }';

const file = (input: Record<string, unknown>) =>
  gql<{ warrantyClaimFile: ClaimPayload }>(
    stack,
    `mutation ($input: WarrantyClaimFileInput!) { warrantyClaimFile(input: $input) { warrantyClaim { ${claimFields} } userErrors { field code message } } }`,
    { input },
  ).then((d) => d.warrantyClaimFile);
const decide = (input: Record<string, unknown>) =>
  gql<{ warrantyClaimDecide: ClaimPayload }>(
    stack,
    `mutation ($input: WarrantyClaimDecideInput!) { warrantyClaimDecide(input: $input) { warrantyClaim { ${claimFields} } userErrors { field code message } } }`,
    { input },
  ).then((d) => d.warrantyClaimDecide);

beforeAll(async () => {
  stack = await startServiceStack('warranty');
  const now = stack.clock.now;
  await recordVehicleFacts(
    stack.database.db,
    [
      { vin: VIN, customerId, deliveredAt: addShanghaiMonths(now, -12) },
      { vin: OLD_VIN, customerId, deliveredAt: addShanghaiMonths(now, -37) },
    ],
    now,
  );
});

afterAll(async () => {
  await stack?.close();
});

describe('warranty claims', () => {
  it('files a claim against a repair order and takes it through approval to payment', async () => {
    const repairOrderId = await order(VIN, 'IN_REPAIR');
    const filed = await file({ repairOrderId, description: 'Water pump leak', amount: '1280.5' });
    expect(filed.userErrors).toEqual([]);
    expect(filed.warrantyClaim).toMatchObject({
      status: 'SUBMITTED',
      amount: { amount: '1280.50', currency: 'CNY' },
      filedBy: stack.clock.actor,
      repairOrder: { id: repairOrderId, warrantyClaims: [{ id: filed.warrantyClaim!.id }] },
    });
    const id = filed.warrantyClaim!.id;
    expect((await decide({ warrantyClaimId: id, status: 'PAID' })).userErrors).toEqual([
      {
        field: 'status',
        code: 'ILLEGAL_TRANSITION',
        message: 'status: a warranty claim cannot move from SUBMITTED to PAID',
      },
    ]);
    stack.clock.actor = 'hq_admin:warranty-desk';
    expect((await decide({ warrantyClaimId: id, status: 'APPROVED' })).warrantyClaim).toMatchObject({
      status: 'APPROVED',
      decidedBy: 'hq_admin:warranty-desk',
    });
    expect((await decide({ warrantyClaimId: id, status: 'PAID' })).warrantyClaim!.paidAt).toBe(
      stack.clock.now.toISOString(),
    );
    expect(
      (await decide({ warrantyClaimId: id, status: 'REJECTED', note: 'late' })).userErrors[0]!.code,
    ).toBe('ILLEGAL_TRANSITION');
  });

  it('needs a reason to reject', async () => {
    const { warrantyClaim } = await file({
      repairOrderId: await order(VIN, 'OPEN'),
      description: 'Rattle',
      amount: '80',
    });
    expect((await decide({ warrantyClaimId: warrantyClaim!.id, status: 'REJECTED' })).userErrors).toEqual([
      { field: 'note', code: 'REQUIRED', message: 'note: a rejection needs a reason' },
    ]);
    expect(
      (await decide({ warrantyClaimId: warrantyClaim!.id, status: 'REJECTED', note: 'wear part' }))
        .warrantyClaim,
    ).toMatchObject({ status: 'REJECTED', decisionNote: 'wear part' });
  });

  it('refuses cancelled orders, expired warranties and bad amounts, naming the field', async () => {
    const cancelled = await file({
      repairOrderId: await order(VIN, 'CANCELLED'),
      description: 'x',
      amount: '10',
    });
    expect(cancelled.userErrors.map((e) => e.code)).toEqual(['REPAIR_ORDER_CANCELLED']);
    const byAge = await file({
      repairOrderId: await order(OLD_VIN, 'IN_REPAIR'),
      description: 'x',
      amount: '10',
    });
    expect(byAge.userErrors[0]).toMatchObject({ field: 'repairOrderId', code: 'WARRANTY_EXPIRED' });
    const byKm = await file({
      repairOrderId: await order(VIN, 'IN_REPAIR', 120_000),
      description: 'x',
      amount: '10',
    });
    expect(byKm.userErrors[0]!.message).toBe(
      'repairOrderId: the vehicle had 120,000 km, above the 100,000 km covered',
    );
    const bad = await file({ repairOrderId: randomUUID(), description: '', amount: '-5' });
    expect(bad.userErrors.map((e) => [e.field, e.code])).toEqual([
      ['description', 'REQUIRED'],
      ['amount', 'MONEY_INVALID'],
    ]);
  });
});

describe('roadside cases', () => {
  type CasePayload = { roadsideCase: Record<string, unknown> | null; userErrors: UserErrorShape[] };
  const caseFields = 'id status kind location resolution dealer { code } openedBy closedBy closedAt';
  const openCase = (input: Record<string, unknown>) =>
    gql<{ roadsideCaseOpen: CasePayload }>(
      stack,
      `mutation ($input: RoadsideCaseOpenInput!) { roadsideCaseOpen(input: $input) { roadsideCase { ${caseFields} } userErrors { field code message } } }`,
      { input: { customerId, vin: VIN, kind: 'FLAT_TIRE', location: 'G2 Expressway km 112', ...input } },
    ).then((d) => d.roadsideCaseOpen);
  const closeCase = (input: Record<string, unknown>) =>
    gql<{ roadsideCaseClose: CasePayload }>(
      stack,
      `mutation ($input: RoadsideCaseCloseInput!) { roadsideCaseClose(input: $input) { roadsideCase { ${caseFields} } userErrors { field code message } } }`,
      { input },
    ).then((d) => d.roadsideCaseClose);

  it('keeps one open case per vehicle, even when opened twice at once', async () => {
    const results = await Promise.all([openCase({}), openCase({})]);
    expect(results.filter((r) => r.roadsideCase)).toHaveLength(1);
    expect(results.find((r) => !r.roadsideCase)!.userErrors).toEqual([
      {
        field: 'vin',
        code: 'CASE_ALREADY_OPEN',
        message: 'vin: this vehicle already has an open roadside case',
      },
    ]);
    const id = results.find((r) => r.roadsideCase)!.roadsideCase!.id as string;
    expect((await closeCase({ roadsideCaseId: id, resolution: 'TOWED_TO_DEALER' })).userErrors).toEqual([
      {
        field: 'dealerCode',
        code: 'REQUIRED',
        message: 'dealerCode: a tow needs the dealer the vehicle was taken to',
      },
    ]);
    const closed = await closeCase({ roadsideCaseId: id, resolution: 'TOWED_TO_DEALER', dealerCode: 'sh01' });
    expect(closed.roadsideCase).toMatchObject({
      status: 'CLOSED',
      resolution: 'TOWED_TO_DEALER',
      dealer: { code: 'SH01' },
      closedBy: stack.clock.actor,
      closedAt: stack.clock.now.toISOString(),
    });
    expect((await closeCase({ roadsideCaseId: id, resolution: 'FIXED_ON_SITE' })).userErrors[0]!.code).toBe(
      'ILLEGAL_TRANSITION',
    );
    // Closed, the vehicle can get help again.
    expect((await openCase({ kind: 'BATTERY' })).userErrors).toEqual([]);
    const history = await gql<{
      _entities: { roadsideCases: { totalCount: number; nodes: { kind: string }[] } }[];
    }>(
      stack,
      'query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Customer { roadsideCases { totalCount nodes { kind } } } } }',
      { reps: [{ __typename: 'Customer', id: customerId }] },
    );
    // Both cases opened at the same (frozen) instant, so their order is the id tiebreak: compare as a set.
    const cases = history._entities[0]!.roadsideCases;
    expect(cases.totalCount).toBe(2);
    expect(cases.nodes.map((n) => n.kind).sort()).toEqual(['BATTERY', 'FLAT_TIRE']);
  });

  it('names every bad field when opening', async () => {
    const bad = await openCase({ customerId: 'x', vin: 'LGWC6H6A', location: ' ', latitude: 95 });
    expect(bad.userErrors.map((e) => [e.field, e.code])).toEqual([
      ['customerId', 'INVALID_ID'],
      ['vin', 'VIN_LENGTH'],
      ['location', 'REQUIRED'],
      ['latitude', 'OUT_OF_RANGE'],
    ]);
  });
});
