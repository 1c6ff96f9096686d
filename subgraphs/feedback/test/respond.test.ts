import { randomUUID } from 'node:crypto';
import type { RunningServer } from '@cx/platform';
import { eq, max } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invitations, outbox, relayState, surveyResponses } from '../src/db/schema.ts';
import { scrubDeliveredTokens } from '../src/repositories/outbox.ts';
import {
  days,
  delivered,
  type FeedbackHarness,
  gql,
  openHarness,
  shift,
  startFeedbackServer,
} from './support.ts';

const respond = `
  mutation ($input: SurveyRespondInput!) {
    surveyRespond(input: $input) {
      response { id kind score comment touchpoint respondedAt customer { id } dealer { code } survey { code }
                 invitation { id status } }
      userErrors { field code message }
    }
  }`;

interface RespondData {
  surveyRespond: {
    response: {
      id: string;
      kind: string;
      score: number;
      comment: string | null;
      touchpoint: string;
      respondedAt: string;
      customer: { id: string };
      dealer: { code: string } | null;
      survey: { code: string } | null;
      invitation: { id: string; status: string } | null;
    } | null;
    userErrors: { field: string; code: string; message: string }[];
  };
}

describe('surveyRespond: token-bound, one response per invitation', () => {
  let h: FeedbackHarness;
  let server: RunningServer;
  const start = new Date('2026-04-15T02:00:00.000Z');
  beforeAll(async () => {
    h = await openHarness('respond');
    server = await startFeedbackServer(h, { commentMaxLength: 50 });
  });
  afterAll(async () => {
    await server?.close();
    await h?.close();
  });

  /** Invites a fresh customer after a touchpoint and returns the invitation and its token. */
  async function invite(
    topic:
      | 'sales.order_delivered'
      | 'service.repair_order_closed'
      | 'service.complaint_resolved' = 'sales.order_delivered',
  ) {
    h.clock.now = start;
    const customerId = randomUUID();
    const at = start.toISOString();
    if (topic === 'sales.order_delivered') await h.deliver(topic, delivered(customerId, start));
    if (topic === 'service.repair_order_closed') {
      await h.deliver(topic, {
        repairOrderId: randomUUID(),
        customerId,
        dealerCode: 'SH01',
        vin: 'LGWEF4A59RS000002',
        firstMaintenance: false,
        at,
      });
    }
    if (topic === 'service.complaint_resolved') {
      await h.deliver(topic, { complaintId: randomUUID(), customerId, dealerCode: 'SH01', at });
    }
    const [invitation] = await h.database.db
      .select()
      .from(invitations)
      .where(eq(invitations.customerId, customerId));
    return { customerId, invitation: invitation!, token: await h.tokenOf(invitation!.id) };
  }

  const send = async (input: Record<string, unknown>) => {
    const res = await gql<RespondData>(server, respond, { input });
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    return res.data!.surveyRespond;
  };

  it('records the response against the invitation and its customer, keeping the comment', async () => {
    const { customerId, invitation, token } = await invite();
    h.clock.now = shift(start, days(2));
    const result = await send({ token, score: 9, comment: '  Smooth handover, thanks!  ' });
    expect(result.userErrors).toEqual([]);
    expect(result.response).toMatchObject({
      kind: 'NPS',
      score: 9,
      comment: 'Smooth handover, thanks!',
      touchpoint: 'DELIVERY',
      respondedAt: h.clock.now.toISOString(),
      customer: { id: customerId },
      dealer: { code: 'SH01' },
      survey: { code: 'DELIVERY_NPS' },
      invitation: { id: invitation.id, status: 'RESPONDED' },
    });
    const [row] = await h.database.db
      .select()
      .from(surveyResponses)
      .where(eq(surveyResponses.invitationId, invitation.id));
    expect(row).toMatchObject({ customerId, score: 9, modelCode: 'HAVAL-H6-2024' });
    // A promoter is a received response, not a detractor.
    const received = await h.outboxRows('feedback.response_received');
    expect(received.map((r) => r.payload.responseId)).toContain(row!.id);
    const detractors = await h.outboxRows('feedback.detractor_received');
    expect(detractors.map((r) => r.payload.responseId)).not.toContain(row!.id);
  });

  it('rejects reuse of a token: ALREADY_RESPONDED, and the first answer stands', async () => {
    const { invitation, token } = await invite();
    expect((await send({ token, score: 10 })).userErrors).toEqual([]);
    const again = await send({ token, score: 0 });
    expect(again.response).toBeNull();
    expect(again.userErrors).toMatchObject([{ field: 'token', code: 'ALREADY_RESPONDED' }]);
    const rows = await h.database.db
      .select()
      .from(surveyResponses)
      .where(eq(surveyResponses.invitationId, invitation.id));
    expect(rows.map((r) => r.score)).toEqual([10]);
  });

  it('takes exactly one of two simultaneous answers with the same token', async () => {
    const { invitation, token } = await invite();
    const results = await Promise.all([send({ token, score: 8 }), send({ token, score: 7 })]);
    const codes = results.map((r) => r.userErrors.map((e) => e.code).join()).sort();
    expect(codes).toEqual(['', 'ALREADY_RESPONDED']);
    const rows = await h.database.db
      .select()
      .from(surveyResponses)
      .where(eq(surveyResponses.invitationId, invitation.id));
    expect(rows).toHaveLength(1);
  });

  it('rejects wrong and malformed tokens with TOKEN_INVALID, never another customer’s invitation', async () => {
    const a = await invite();
    const b = await invite();
    // Change one character of a real token: a different (unknown) token.
    const last = a.token.at(-1) === 'A' ? 'B' : 'A';
    for (const token of [`${a.token.slice(0, -1)}${last}`, 'short', `${a.token}x`, '']) {
      const result = await send({ token, score: 9 });
      expect(result.userErrors, token).toMatchObject([{ field: 'token', code: 'TOKEN_INVALID' }]);
    }
    // B's token answers B's invitation, for B, and leaves A's open.
    const answered = await send({ token: b.token, score: 3 });
    expect(answered.response?.customer.id).toBe(b.customerId);
    const [openA] = await h.database.db.select().from(invitations).where(eq(invitations.id, a.invitation.id));
    expect(openA!.respondedAt).toBeNull();
  });

  it('rejects an expired token (the clock passes expiresAt) with TOKEN_EXPIRED', async () => {
    const { invitation, token } = await invite();
    h.clock.now = new Date(invitation.expiresAt.getTime() - 1);
    const status = `query ($id: ID!) { surveyInvitation(id: $id) { status expiresAt } }`;
    const pending = await gql<{ surveyInvitation: { status: string } }>(server, status, {
      id: invitation.id,
    });
    expect(pending.data?.surveyInvitation.status).toBe('PENDING');
    h.clock.now = invitation.expiresAt;
    const result = await send({ token, score: 9 });
    expect(result.userErrors).toMatchObject([{ field: 'token', code: 'TOKEN_EXPIRED' }]);
    const expired = await gql<{ surveyInvitation: { status: string } }>(server, status, {
      id: invitation.id,
    });
    expect(expired.data?.surveyInvitation.status).toBe('EXPIRED');
  });

  it('validates the score against the survey kind and the comment length', async () => {
    const nps = await invite();
    expect((await send({ token: nps.token, score: 11 })).userErrors).toMatchObject([
      { field: 'score', code: 'SCORE_OUT_OF_RANGE', message: expect.stringContaining('0 to 10') },
    ]);
    expect((await send({ token: nps.token, score: -1 })).userErrors[0]?.code).toBe('SCORE_OUT_OF_RANGE');
    expect((await send({ token: nps.token, score: 9, comment: 'x'.repeat(51) })).userErrors).toMatchObject([
      { field: 'comment', code: 'COMMENT_TOO_LONG' },
    ]);
    // Rejections leave the invitation open.
    expect((await send({ token: nps.token, score: 0 })).userErrors).toEqual([]);

    const csat = await invite('service.repair_order_closed');
    expect(csat.invitation.kind).toBe('CSAT');
    expect((await send({ token: csat.token, score: 0 })).userErrors[0]?.code).toBe('SCORE_OUT_OF_RANGE');
    expect((await send({ token: csat.token, score: 6 })).userErrors[0]?.code).toBe('SCORE_OUT_OF_RANGE');
    expect((await send({ token: csat.token, score: 5 })).userErrors).toEqual([]);

    const ces = await invite('service.complaint_resolved');
    expect(ces.invitation.kind).toBe('CES');
    expect((await send({ token: ces.token, score: 8 })).userErrors[0]?.code).toBe('SCORE_OUT_OF_RANGE');
    expect((await send({ token: ces.token, score: 7 })).userErrors).toEqual([]);
  });

  it('publishes feedback.detractor_received with the response for NPS 0-6 and CSAT 1-2', async () => {
    const nps = await invite();
    const npsResult = await send({ token: nps.token, score: 6, comment: 'Waited two hours' });
    const csat = await invite('service.repair_order_closed');
    const csatResult = await send({ token: csat.token, score: 2 });
    const passive = await invite('service.repair_order_closed');
    const passiveResult = await send({ token: passive.token, score: 3 });

    const detractors = await h.outboxRows('feedback.detractor_received');
    const byResponse = new Map(detractors.map((r) => [r.payload.responseId, r]));
    expect(byResponse.get(npsResult.response!.id)).toMatchObject({
      key: nps.customerId,
      position: null, // no relay in this test: the event waits in the outbox, committed with the response
      payload: {
        responseId: npsResult.response!.id,
        customerId: nps.customerId,
        dealerCode: 'SH01',
        kind: 'NPS',
        score: 6,
        comment: 'Waited two hours',
        at: start.toISOString(),
      },
    });
    expect(byResponse.get(csatResult.response!.id)?.payload).toMatchObject({
      kind: 'CSAT',
      score: 2,
      comment: null,
    });
    expect(byResponse.has(passiveResult.response!.id)).toBe(false);
  });

  it('scrubs delivered tokens from the outbox, so only the hash stays at rest', async () => {
    const published = await invite();
    // The relay has handed every event so far to the bus: positions assigned, the mark moved.
    await h.database.db.update(outbox).set({ position: outbox.id });
    const [top] = await h.database.db.select({ max: max(outbox.position) }).from(outbox);
    await h.database.db.insert(relayState).values({ name: 'feedback', publishedPosition: top!.max! });
    const pending = await invite();

    expect(await scrubDeliveredTokens(h.database.db, 'feedback')).toBeGreaterThan(0);
    await expect(h.tokenOf(published.invitation.id)).rejects.toThrow(/no token/);
    expect(await h.tokenOf(pending.invitation.id)).toBe(pending.token);
    const [issued] = (await h.outboxRows('feedback.invitation_issued')).filter(
      (r) => r.payload.invitationId === published.invitation.id,
    );
    expect(issued!.payload).toMatchObject({
      invitationId: published.invitation.id,
      customerId: published.customerId,
    });
    expect(JSON.stringify(issued!.payload)).not.toContain(published.token);
    // The scrubbed token still answers the survey: the hash is all the check needs.
    expect((await send({ token: published.token, score: 9 })).userErrors).toEqual([]);
  });
});
