import { randomUUID } from 'node:crypto';
import { schema as customerSchema } from '@cx/customer';
import { schema as feedbackSchema } from '@cx/feedback';
import type { DomainEvent, EventTopics, Topic } from '@cx/platform';
import { schema as salesSchema } from '@cx/sales';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractOperation } from '../helpers/contract.ts';
import { eventually } from '../helpers/eventually.ts';
import { startTestStack, type TestStack } from '../helpers/testStack.ts';

const customer360 = contractOperation('customer360.graphql');

const respondMutation = `
  mutation ($input: SurveyRespondInput!) {
    surveyRespond(input: $input) {
      response { id kind score comment dealer { code name region } customer { id displayName } }
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
      dealer: { code: string; name: string; region: string } | null;
      customer: { id: string; displayName: string };
    } | null;
    userErrors: { field: string; code: string }[];
  };
}

describe('feedback through the gateway: touchpoint events to invitations, responses and scores', () => {
  let stack: TestStack;
  /** What the messaging channel would receive: the clear token per invitation, by customer. */
  const issued = new Map<string, EventTopics['feedback.invitation_issued'][]>();
  const detractorEvents: DomainEvent[] = [];
  const dealerCodes = Array.from({ length: 12 }, (_, i) => `FB${String(i).padStart(2, '0')}`);

  beforeAll(async () => {
    stack = await startTestStack('feedback');
    await stack.bus.subscribe(
      'e2e.messaging',
      ['feedback.invitation_issued', 'feedback.detractor_received'],
      async (e) => {
        if (e.topic === 'feedback.detractor_received') detractorEvents.push(e);
        else {
          const payload = e.payload as unknown as EventTopics['feedback.invitation_issued'];
          issued.set(payload.customerId, [...(issued.get(payload.customerId) ?? []), payload]);
        }
      },
    );
    await stack.dbs.sales.insert(salesSchema.dealers).values(
      dealerCodes.map((code, i) => ({
        code,
        name: `Feedback Dealer ${i}`,
        city: i % 2 ? 'Beijing' : 'Shanghai',
        province: i % 2 ? 'Beijing' : 'Shanghai',
        region: i % 2 ? 'NORTH' : 'EAST',
      })),
    );
  });
  afterAll(async () => {
    await stack?.stop();
  });

  /** An upstream subgraph's event, delivered over the stack's bus as its relay would. */
  async function publish<T extends Topic>(topic: T, payload: EventTopics[T]) {
    await stack.bus.publish({
      id: randomUUID(),
      topic,
      key: randomUUID(),
      payload: payload as unknown as Record<string, unknown>,
      source: topic.split('.')[0]!,
      position: 1,
      occurredAt: new Date().toISOString(),
    });
  }

  async function newCustomer(name: string) {
    const id = randomUUID();
    await stack.dbs.customer.insert(customerSchema.customers).values({ id, displayName: name });
    return id;
  }

  async function deliveredTo(customerId: string, dealerCode: string) {
    await publish('sales.order_delivered', {
      orderId: randomUUID(),
      customerId,
      dealerCode,
      vin: null,
      modelCode: 'HAVAL-H6-2024',
      at: new Date().toISOString(),
    });
    return eventually(() => {
      const token = issued.get(customerId)?.at(-1)?.token;
      expect(token).toBeDefined();
      return token!;
    });
  }

  const respond = async (input: Record<string, unknown>) => {
    const res = await stack.graphql<RespondData>(respondMutation, { input });
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    return res.data!.surveyRespond;
  };

  it('invites after a delivery, takes the answer by token and shows it in the 360 view', async () => {
    const customerId = await newCustomer('Wang Fang');
    const token = await deliveredTo(customerId, dealerCodes[0]!);
    const result = await respond({ token, score: 9, comment: 'Great handover' });
    expect(result.userErrors).toEqual([]);
    expect(result.response).toMatchObject({
      kind: 'NPS',
      score: 9,
      comment: 'Great handover',
      dealer: { code: 'FB00', name: 'Feedback Dealer 0', region: 'EAST' },
      customer: { id: customerId, displayName: 'Wang Fang' },
    });

    const view = await stack.graphql<{
      customer: {
        surveyResponses: { totalCount: number; nodes: { kind: string; score: number; touchpoint: string }[] };
      };
    }>(customer360, { id: customerId });
    expect(view.errors, JSON.stringify(view.errors)).toBeUndefined();
    expect(view.data!.customer.surveyResponses).toEqual({
      totalCount: 1,
      nodes: [expect.objectContaining({ kind: 'NPS', score: 9, touchpoint: 'DELIVERY' })],
    });

    const again = await respond({ token, score: 1 });
    expect(again.userErrors).toMatchObject([{ field: 'token', code: 'ALREADY_RESPONDED' }]);
    const wrong = await respond({ token: token.replace(/^./, (c) => (c === 'a' ? 'b' : 'a')), score: 9 });
    expect(wrong.userErrors).toMatchObject([{ field: 'token', code: 'TOKEN_INVALID' }]);
  });

  it('turns a detractor into feedback.detractor_received, committed with the response', async () => {
    const customerId = await newCustomer('Li Lei');
    const token = await deliveredTo(customerId, dealerCodes[0]!);
    const { response, userErrors } = await respond({ token, score: 2, comment: 'Car delivered dirty' });
    expect(userErrors).toEqual([]);
    const [row] = await stack.dbs.feedback
      .select()
      .from(feedbackSchema.outbox)
      .where(
        and(
          eq(feedbackSchema.outbox.topic, 'feedback.detractor_received'),
          eq(feedbackSchema.outbox.key, customerId),
        ),
      );
    expect(row?.payload).toMatchObject({
      responseId: response!.id,
      customerId,
      dealerCode: 'FB00',
      kind: 'NPS',
      score: 2,
      comment: 'Car delivered dirty',
    });
    // The relay hands it to the bus, where service's complaint consumer subscribes.
    await eventually(() => expect(detractorEvents.map((e) => e.payload.responseId)).toContain(response!.id));
    // Closed loop: service opened a complaint from the event, and it shows in the customer's 360 view.
    await eventually(async () => {
      const view = await stack.graphql<{
        customer: { complaints: { totalCount: number; nodes: { status: string; severity: string }[] } };
      }>(contractOperation('customer360.graphql'), { id: customerId });
      expect(view.errors).toBeUndefined();
      expect(view.data!.customer.complaints.totalCount).toBe(1);
      expect(view.data!.customer.complaints.nodes[0]).toMatchObject({ status: 'OPEN', severity: 'HIGH' });
    });
  });

  it('suppresses a second invitation within 30 days and one without contact consent, visibly', async () => {
    const tired = await newCustomer('Zhao Min');
    const first = await deliveredTo(tired, dealerCodes[1]!);
    await publish('service.repair_order_closed', {
      repairOrderId: randomUUID(),
      customerId: tired,
      dealerCode: dealerCodes[1]!,
      vin: 'LGWEF4A59RS000003',
      firstMaintenance: true,
      at: new Date().toISOString(),
    });
    const silent = await newCustomer('Chen Jing');
    for (const purpose of ['MARKETING_SMS', 'MARKETING_PUSH']) {
      await publish('customer.consent_changed', {
        customerId: silent,
        purpose,
        granted: false,
        at: new Date().toISOString(),
      });
    }
    await publish('sales.order_delivered', {
      orderId: randomUUID(),
      customerId: silent,
      dealerCode: dealerCodes[1]!,
      vin: null,
      modelCode: null,
      at: new Date().toISOString(),
    });

    const query = `query ($id: ID!) {
      customer(id: $id) {
        surveyInvitations { totalCount nodes { id status touchpoint } }
        surveySuppressions { totalCount nodes { reason touchpoint detail blockingInvitation { id touchpoint } dealer { name } } }
      }
    }`;
    interface View {
      customer: {
        surveyInvitations: {
          totalCount: number;
          nodes: { id: string; status: string; touchpoint: string }[];
        };
        surveySuppressions: {
          totalCount: number;
          nodes: {
            reason: string;
            touchpoint: string;
            blockingInvitation: { id: string } | null;
            dealer: { name: string };
          }[];
        };
      };
    }
    const tiredView = await stack.graphql<View>(query, { id: tired });
    expect(tiredView.errors).toBeUndefined();
    const invitation = tiredView.data!.customer.surveyInvitations;
    expect(invitation).toMatchObject({
      totalCount: 1,
      nodes: [{ status: 'PENDING', touchpoint: 'DELIVERY' }],
    });
    expect(first).toBeTruthy();
    expect(tiredView.data!.customer.surveySuppressions).toMatchObject({
      totalCount: 1,
      nodes: [
        {
          reason: 'FATIGUE',
          touchpoint: 'FIRST_MAINTENANCE',
          blockingInvitation: { id: invitation.nodes[0]!.id },
          dealer: { name: 'Feedback Dealer 1' },
        },
      ],
    });
    const silentView = await stack.graphql<View>(query, { id: silent });
    expect(silentView.data!.customer.surveyInvitations.totalCount).toBe(0);
    expect(silentView.data!.customer.surveySuppressions.nodes).toMatchObject([
      { reason: 'CONSENT', touchpoint: 'DELIVERY' },
    ]);

    const analysts = await stack.graphql<{
      surveySuppressions: { totalCount: number; nodes: { customer: { id: string } }[] };
    }>(`{ surveySuppressions(reason: CONSENT) { totalCount nodes { customer { id } } } }`);
    expect(analysts.data!.surveySuppressions.nodes.map((n) => n.customer.id)).toContain(silent);
  });

  it('rejects an invitation past its expiry with TOKEN_EXPIRED', async () => {
    const customerId = await newCustomer('Sun Yue');
    const token = await deliveredTo(customerId, dealerCodes[2]!);
    await stack.dbs.feedback
      .update(feedbackSchema.invitations)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(feedbackSchema.invitations.customerId, customerId));
    expect((await respond({ token, score: 9 })).userErrors).toMatchObject([
      { field: 'token', code: 'TOKEN_EXPIRED' },
    ]);
  });

  it('serves the dealer league and Dealer.feedback with a bounded number of SQL statements', async () => {
    // Dealer FB04 gets 3 promoters and 1 detractor now: NPS (3 - 1) / 4 = +50.
    const scores = [10, 9, 10, 5];
    for (const [i, score] of scores.entries()) {
      const token = await deliveredTo(await newCustomer(`League ${i}`), 'FB04');
      expect((await respond({ token, score })).userErrors).toEqual([]);
    }
    const counts = () => ({
      feedback: stack.databases.feedback.counter.requestCount,
      sales: stack.databases.sales.counter.requestCount,
    });
    const reset = () => {
      stack.databases.feedback.counter.reset();
      stack.databases.sales.counter.reset();
    };

    reset();
    const league = await stack.graphql<{
      feedbackScores: {
        current: { label: string };
        groups: {
          dealer: { code: string; name: string };
          score: { score: number; responses: number; lowConfidence: boolean };
        }[];
      };
    }>(`{ feedbackScores(input: { kind: NPS, groupBy: DEALER, period: QUARTER }) {
          current { label }
          groups { dealer { code name } score { score responses lowConfidence } }
        } }`);
    expect(league.errors, JSON.stringify(league.errors)).toBeUndefined();
    const fb04 = league.data!.feedbackScores.groups.find((g) => g.dealer.code === 'FB04');
    expect(fb04).toEqual({
      dealer: { code: 'FB04', name: 'Feedback Dealer 4' },
      score: { score: 50, responses: 4, lowConfidence: true },
    });
    // FB00 has the 9 and the 2 from above: (1 - 1) / 2 = 0.
    expect(league.data!.feedbackScores.groups.find((g) => g.dealer.code === 'FB00')?.score.score).toBe(0);
    expect(counts()).toEqual({ feedback: 1, sales: 1 });

    const dealersQuery = (region: string | null) => `{
      dealers${region ? `(region: "${region}")` : ''} { code feedback(kind: NPS, period: MONTH) { score responses trend } }
    }`;
    reset();
    const few = await stack.graphql<{ dealers: { code: string; feedback: { score: number | null } }[] }>(
      dealersQuery('EAST'),
    );
    const fewCounts = counts();
    reset();
    const all = await stack.graphql<{ dealers: { code: string; feedback: { score: number | null } }[] }>(
      dealersQuery(null),
    );
    expect(all.errors, JSON.stringify(all.errors)).toBeUndefined();
    expect(all.data!.dealers.length).toBeGreaterThan(few.data!.dealers.length);
    expect(all.data!.dealers.find((d) => d.code === 'FB04')?.feedback.score).toBe(50);
    expect(counts()).toEqual(fewCounts);
    expect(fewCounts.feedback).toBe(1);
  });
});
