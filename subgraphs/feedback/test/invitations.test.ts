import { randomUUID } from 'node:crypto';
import type { EventTopics } from '@cx/platform';
import { desc, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consents, dealers, invitations, suppressions, surveys } from '../src/db/schema.ts';
import { hashToken } from '../src/invitations/token.ts';
import { days, delivered, type FeedbackHarness, openHarness, shift } from './support.ts';

describe('invitations from touchpoint events (consumer handlers on a real database)', () => {
  let h: FeedbackHarness;
  beforeAll(async () => {
    h = await openHarness('invitations');
  });
  afterAll(async () => {
    await h?.close();
  });

  const invitationsOf = (customerId: string) =>
    h.database.db
      .select()
      .from(invitations)
      .where(eq(invitations.customerId, customerId))
      .orderBy(desc(invitations.invitedAt));
  const suppressionsOf = (customerId: string) =>
    h.database.db.select().from(suppressions).where(eq(suppressions.customerId, customerId));

  it('seeds one active survey per touchpoint, covering NPS, CSAT and CES', async () => {
    const rows = await h.database.db.select().from(surveys).where(eq(surveys.active, true));
    expect(rows.map((s) => s.touchpoint).sort()).toEqual([
      'COMPLAINT_RESOLVED',
      'DELIVERY',
      'FIRST_MAINTENANCE',
      'REPAIR_ORDER_CLOSED',
      'ROADSIDE_CLOSED',
      'TEST_DRIVE',
    ]);
    expect(new Set(rows.map((s) => s.kind))).toEqual(new Set(['NPS', 'CSAT', 'CES']));
  });

  it('invites after a delivery, stores only the token hash and hands the token to the messaging channel', async () => {
    const customerId = randomUUID();
    await h.deliver('sales.dealer_changed', {
      dealerCode: 'SH01',
      name: 'Shanghai Pudong 4S',
      city: 'Shanghai',
      province: 'Shanghai',
      region: 'EAST',
      at: '2026-01-01T00:00:00Z',
    });
    await h.deliver('sales.order_delivered', delivered(customerId, shift(h.clock.now, -days(1))));
    const [invitation] = await invitationsOf(customerId);
    expect(invitation).toMatchObject({
      kind: 'NPS',
      touchpoint: 'DELIVERY',
      dealerCode: 'SH01',
      region: 'EAST',
      modelCode: 'HAVAL-H6-2024',
      fatigueExempt: false,
      invitedAt: h.clock.now,
      expiresAt: shift(h.clock.now, days(14)),
    });
    const token = await h.tokenOf(invitation!.id);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(invitation!.tokenHash).toBe(hashToken(token));
    expect(invitation!.tokenHash).not.toContain(token);
  });

  it('maps repair orders to FIRST_MAINTENANCE or REPAIR_ORDER_CLOSED and takes the model from the VIN projection', async () => {
    const first = randomUUID();
    const later = randomUUID();
    const vin = 'LGWEF4A59RS000001';
    await h.deliver('vehicle.ownership_changed', {
      vin,
      customerId: first,
      modelCode: 'WEY-LATTE-2024',
      brand: 'WEY',
      startedAt: '2025-01-01T00:00:00Z',
    });
    const closed = (customerId: string, firstMaintenance: boolean) => ({
      repairOrderId: randomUUID(),
      customerId,
      dealerCode: 'SH01',
      vin,
      firstMaintenance,
      at: h.clock.now.toISOString(),
    });
    await h.deliver('service.repair_order_closed', closed(first, true));
    await h.deliver('service.repair_order_closed', closed(later, false));
    const [a] = await invitationsOf(first);
    const [b] = await invitationsOf(later);
    expect(a).toMatchObject({
      touchpoint: 'FIRST_MAINTENANCE',
      kind: 'NPS',
      modelCode: 'WEY-LATTE-2024',
      vin,
    });
    expect(b).toMatchObject({ touchpoint: 'REPAIR_ORDER_CLOSED', kind: 'CSAT', modelCode: 'WEY-LATTE-2024' });
  });

  it('sends at most one invitation per customer per 30 days and records the suppression', async () => {
    const customerId = randomUUID();
    const start = h.clock.now;
    try {
      await h.deliver('sales.test_drive_completed', {
        testDriveId: randomUUID(),
        customerId,
        dealerCode: 'SH01',
        modelCode: null,
        at: start.toISOString(),
      });
      h.clock.now = shift(start, days(29));
      const second = delivered(customerId, h.clock.now);
      await h.deliver('sales.order_delivered', second);
      const [first] = await invitationsOf(customerId);
      expect(await invitationsOf(customerId)).toHaveLength(1);
      const [suppressed] = await suppressionsOf(customerId);
      expect(suppressed).toMatchObject({
        reason: 'FATIGUE',
        touchpoint: 'DELIVERY',
        sourceRef: second.orderId,
        blockingInvitationId: first!.id,
        suppressedAt: h.clock.now,
      });
      expect(suppressed!.detail).toContain('30-day window');

      // Just past the window the next touchpoint is invited again.
      h.clock.now = shift(start, days(30) + 1);
      await h.deliver('sales.order_delivered', delivered(customerId, h.clock.now));
      expect(await invitationsOf(customerId)).toHaveLength(2);
    } finally {
      h.clock.now = start;
    }
  });

  it('exempts post-complaint surveys from fatigue, and they do not count towards it', async () => {
    const customerId = randomUUID();
    await h.deliver('sales.order_delivered', delivered(customerId, h.clock.now));
    await h.deliver('service.complaint_resolved', {
      complaintId: randomUUID(),
      customerId,
      dealerCode: 'SH01',
      at: h.clock.now.toISOString(),
    });
    const rows = await invitationsOf(customerId);
    expect(rows.map((r) => [r.touchpoint, r.kind, r.fatigueExempt]).sort()).toEqual([
      ['COMPLAINT_RESOLVED', 'CES', true],
      ['DELIVERY', 'NPS', false],
    ]);
    expect(await suppressionsOf(customerId)).toHaveLength(0);

    const other = randomUUID();
    await h.deliver('service.complaint_resolved', {
      complaintId: randomUUID(),
      customerId: other,
      dealerCode: null,
      at: h.clock.now.toISOString(),
    });
    await h.deliver('service.roadside_closed', {
      caseId: randomUUID(),
      customerId: other,
      dealerCode: null,
      vin: null,
      at: h.clock.now.toISOString(),
    });
    expect((await invitationsOf(other)).map((r) => r.touchpoint).sort()).toEqual([
      'COMPLAINT_RESOLVED',
      'ROADSIDE_CLOSED',
    ]);
  });

  it('suppresses when both MARKETING_SMS and MARKETING_PUSH are withdrawn, and only then', async () => {
    const consent = (customerId: string, purpose: string, granted: boolean, at: string) =>
      h.deliver('customer.consent_changed', { customerId, purpose, granted, at });
    const both = randomUUID();
    await consent(both, 'MARKETING_SMS', false, '2026-01-01T00:00:00Z');
    await consent(both, 'MARKETING_PUSH', false, '2026-01-02T00:00:00Z');
    await h.deliver('sales.order_delivered', delivered(both, h.clock.now));
    expect(await invitationsOf(both)).toHaveLength(0);
    expect(await suppressionsOf(both)).toMatchObject([{ reason: 'CONSENT', touchpoint: 'DELIVERY' }]);

    const one = randomUUID();
    await consent(one, 'MARKETING_SMS', false, '2026-01-01T00:00:00Z');
    await h.deliver('sales.order_delivered', delivered(one, h.clock.now));
    expect(await invitationsOf(one)).toHaveLength(1);

    // A late, older event does not overwrite the newer consent: the re-grant stands.
    const regranted = randomUUID();
    await consent(regranted, 'MARKETING_PUSH', false, '2026-01-01T00:00:00Z');
    await consent(regranted, 'MARKETING_SMS', true, '2026-03-01T00:00:00Z');
    await consent(regranted, 'MARKETING_SMS', false, '2026-02-01T00:00:00Z');
    await h.deliver('sales.order_delivered', delivered(regranted, h.clock.now));
    expect(await invitationsOf(regranted)).toHaveLength(1);
  });

  it('reads every purpose of a customer.consents_changed event, and skips malformed entries', async () => {
    // Typed loosely on purpose: a producer's entry may lack a field.
    const changed = (customerId: string, changes: { purpose: string; granted?: boolean }[], at: string) =>
      h.deliver('customer.consents_changed', {
        customerId,
        changes: changes as { purpose: string; granted: boolean }[],
        at,
      });
    const both = randomUUID();
    await changed(
      both,
      [
        { purpose: 'MARKETING_SMS', granted: false },
        { purpose: 'MARKETING_PUSH', granted: false },
        { purpose: 'MARKETING_EMAIL' }, // no verdict: skipped
      ],
      '2026-01-01T00:00:00Z',
    );
    await h.deliver('sales.order_delivered', delivered(both, h.clock.now));
    expect(await invitationsOf(both)).toHaveLength(0);
    expect(await suppressionsOf(both)).toMatchObject([{ reason: 'CONSENT', touchpoint: 'DELIVERY' }]);

    // A later event granting one purpose lifts the suppression for the next touchpoint; a purpose
    // named twice in one event counts once, the later entry winning.
    await changed(
      both,
      [
        { purpose: 'MARKETING_PUSH', granted: false },
        { purpose: 'MARKETING_PUSH', granted: true },
      ],
      '2026-02-01T00:00:00Z',
    );
    await h.deliver('sales.test_drive_completed', {
      testDriveId: randomUUID(),
      customerId: both,
      dealerCode: 'SH01',
      modelCode: null,
      at: h.clock.now.toISOString(),
    });
    expect(await invitationsOf(both)).toHaveLength(1);
  });

  it('reads every customer of a customer.consent_changes event, skipping malformed entries', async () => {
    const [refused, granted, later] = [randomUUID(), randomUUID(), randomUUID()];
    // Typed loosely on purpose: a producer's entry may lack a field.
    const customers = [
      {
        customerId: refused,
        changes: [
          { purpose: 'MARKETING_SMS', granted: false },
          { purpose: 'MARKETING_PUSH', granted: false },
        ],
      },
      { customerId: 'not-a-uuid', changes: [{ purpose: 'MARKETING_SMS', granted: true }] },
      { customerId: granted.toUpperCase(), changes: [{ purpose: 'MARKETING_SMS', granted: true }] },
      { customerId: later, changes: [{ purpose: 'MARKETING_SMS' }] }, // no verdict: skipped
      { customerId: later }, // no changes at all: skipped
    ] as EventTopics['customer.consent_changes']['customers'];
    await h.deliver('customer.consent_changes', { customers, at: '2026-01-01T00:00:00Z' });
    const projected = await h.database.db
      .select({ customerId: consents.customerId, purpose: consents.purpose, granted: consents.granted })
      .from(consents)
      .where(inArray(consents.customerId, [refused, granted, later]));
    const byKey = (a: { customerId: string; purpose: string }, b: { customerId: string; purpose: string }) =>
      `${a.customerId}${a.purpose}`.localeCompare(`${b.customerId}${b.purpose}`);
    expect(projected.sort(byKey)).toEqual(
      [
        { customerId: granted, purpose: 'MARKETING_SMS', granted: true },
        { customerId: refused, purpose: 'MARKETING_PUSH', granted: false },
        { customerId: refused, purpose: 'MARKETING_SMS', granted: false },
      ].sort(byKey),
    );
    await h.deliver('sales.order_delivered', delivered(refused, h.clock.now));
    expect(await suppressionsOf(refused)).toMatchObject([{ reason: 'CONSENT', touchpoint: 'DELIVERY' }]);
  });

  it('keeps the newest dealer region and VIN model, whatever order their events arrive in', async () => {
    const dealer = (region: string, at: string) =>
      h.deliver('sales.dealer_changed', {
        dealerCode: 'NJ01',
        name: 'Nanjing',
        city: 'Nanjing',
        province: 'Jiangsu',
        region,
        at,
      });
    await dealer('EAST', '2026-01-01T00:00:00Z');
    await dealer('CENTRAL', '2026-03-01T00:00:00Z');
    await dealer('WEST', '2026-02-01T00:00:00Z'); // late and older: ignored
    const vin = 'LGWEF4A59RS000009';
    const owner = (modelCode: string, startedAt: string) =>
      h.deliver('vehicle.ownership_changed', {
        vin,
        customerId: randomUUID(),
        modelCode,
        brand: 'Haval',
        startedAt,
      });
    await owner('HAVAL-H6-2024', '2026-01-01T00:00:00Z');
    await owner('HAVAL-H9-2025', '2026-03-01T00:00:00Z');
    await owner('HAVAL-JOLION-2023', '2025-06-01T00:00:00Z');

    const customerId = randomUUID();
    await h.deliver('service.roadside_closed', {
      caseId: randomUUID(),
      customerId,
      dealerCode: 'NJ01',
      vin,
      at: h.clock.now.toISOString(),
    });
    const [invitation] = await invitationsOf(customerId);
    expect(invitation).toMatchObject({ region: 'CENTRAL', modelCode: 'HAVAL-H9-2025', vin });
    const [row] = await h.database.db.select().from(dealers).where(eq(dealers.code, 'NJ01'));
    expect(row).toEqual({ code: 'NJ01', region: 'CENTRAL', changedAt: new Date('2026-03-01T00:00:00Z') });
  });

  it('decides each touchpoint once, however often it is delivered', async () => {
    const customerId = randomUUID();
    const payload = delivered(customerId, h.clock.now);
    const event = await h.deliver('sales.order_delivered', payload);
    await h.deliver('sales.order_delivered', payload, event.id); // the same event redelivered
    await h.deliver('sales.order_delivered', payload); // the producer sent the touchpoint again
    expect(await invitationsOf(customerId)).toHaveLength(1);
    expect(await suppressionsOf(customerId)).toHaveLength(0);
    const issued = await h.outboxRows('feedback.invitation_issued');
    expect(issued.filter((r) => r.payload.customerId === customerId)).toHaveLength(1);
  });

  it('suppresses touchpoints too old to survey and touchpoints without an active survey', async () => {
    const stale = randomUUID();
    await h.deliver('sales.order_delivered', delivered(stale, shift(h.clock.now, -days(15))));
    expect(await suppressionsOf(stale)).toMatchObject([{ reason: 'STALE_TOUCHPOINT' }]);

    await h.database.db
      .update(surveys)
      .set({ active: false })
      .where(eq(surveys.touchpoint, 'ROADSIDE_CLOSED'));
    try {
      const customerId = randomUUID();
      await h.deliver('service.roadside_closed', {
        caseId: randomUUID(),
        customerId,
        dealerCode: 'SH01',
        vin: null,
        at: h.clock.now.toISOString(),
      });
      expect(await suppressionsOf(customerId)).toMatchObject([
        { reason: 'NO_ACTIVE_SURVEY', surveyId: null },
      ]);
    } finally {
      await h.database.db
        .update(surveys)
        .set({ active: true })
        .where(eq(surveys.touchpoint, 'ROADSIDE_CLOSED'));
    }
  });

  it('skips touchpoints that name no usable customer', async () => {
    const before = (await h.database.db.select().from(invitations)).length;
    await h.deliver('service.repair_order_closed', {
      repairOrderId: randomUUID(),
      customerId: null,
      dealerCode: 'SH01',
      vin: 'LGWEF4A59RS000001',
      firstMaintenance: false,
      at: h.clock.now.toISOString(),
    });
    await h.deliver('sales.order_delivered', delivered('not-a-uuid', h.clock.now));
    expect(await h.database.db.select().from(invitations)).toHaveLength(before);
  });
});
