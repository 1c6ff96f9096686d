import type { RunningGateway } from '@cx/gateway';
import { schema as salesSchema } from '@cx/sales';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractOperation } from '../helpers/contract.ts';
import { eventually } from '../helpers/eventually.ts';
import {
  type LeadAssignedEvent,
  LeadFactory,
  type StreamSubscriber,
  subscribe,
  wsUrlOf,
} from '../helpers/leadStream.ts';
import { startGatewayFor } from '../helpers/reliability.ts';
import { startTestStack, type TestStack } from '../helpers/testStack.ts';

/**
 * test/e2e/leadAssigned.test.ts covers one client resuming across a gateway restart. This one puts
 * several dashboards on the gateway while leads keep coming in (also while it is down), restarts it
 * on the same port, and checks that each dashboard's stream, before plus after, is every
 * assignment exactly once and in order. Through PgBouncer it once hung one resumed dashboard: see
 * packages/platform/test/pooledConnections.test.ts.
 */
const leadAssigned = contractOperation('leadAssigned.graphql');
type Payload = { leadAssigned: LeadAssignedEvent };

let stack: TestStack;
const gateways: RunningGateway[] = [];

async function gatewayOn(port: number): Promise<RunningGateway> {
  const gateway = await startGatewayFor(stack, port);
  gateways.push(gateway);
  return gateway;
}

beforeAll(async () => {
  stack = await startTestStack('rel_gateway_restart', { customers: 80 });
});

afterAll(async () => {
  for (const g of gateways) await g.close();
  await stack?.stop();
});

describe('dashboards across a gateway restart under a steady flow of assignments', () => {
  it('each resumes from its cursor and sees every assignment exactly once, in order', async () => {
    // Leads are written through a second gateway, so they keep coming while the first is down.
    const writer = await gatewayOn(0);
    const [top] = await stack.dbs.sales
      .select({ p: sql<number>`coalesce(max(${salesSchema.outbox.position}), 0)`.mapWith(Number) })
      .from(salesSchema.outbox);
    const start = String(top!.p);
    const factory = new LeadFactory(stack);
    const created: string[] = [];
    let writing = true;
    const writes = (async () => {
      while (writing) {
        const [lead] = await factory.create(1, writer.url);
        created.push(lead!.id);
        await new Promise((r) => setTimeout(r, 150));
      }
    })();

    const port = stack.gateway.port;
    const first: StreamSubscriber<Payload>[] = [0, 1, 2].map(() =>
      subscribe<Payload>(wsUrlOf(stack.gateway.url), leadAssigned, { after: start }),
    );
    await Promise.all(first.map((d) => d.received(2, 30_000)));

    await stack.gateway.close();
    await eventually(() => {
      for (const d of first) expect(d.closeCode).toBe(1001);
    });
    const lastSeen = first.map((d) => d.results.at(-1)!.data!.leadAssigned.cursor);
    const createdBeforeRestart = created.length;
    await new Promise((r) => setTimeout(r, 600));
    const replacement = await gatewayOn(port);
    expect(replacement.url).toBe(stack.gateway.url);
    const resumed = lastSeen.map((after) =>
      subscribe<Payload>(wsUrlOf(replacement.url), leadAssigned, { after }),
    );
    await eventually(() => expect(replacement.leadStream?.subscribers).toBe(3));
    await new Promise((r) => setTimeout(r, 1_000));
    writing = false;
    await writes;
    expect(created.length).toBeGreaterThan(createdBeforeRestart);

    for (const [i, d] of resumed.entries()) {
      const before = first[i]!.results.map((r) => r.data!.leadAssigned);
      await d.received(created.length - before.length, 30_000);
      const events = [...before, ...d.results.map((r) => r.data!.leadAssigned)];
      expect(
        events.map((e) => e.lead.id),
        `dashboard ${i}`,
      ).toEqual(created);
      // Gap-free cursors, one step at a time from where the dashboard started.
      expect(events.map((e) => Number(e.cursor))).toEqual(created.map((_, k) => Number(start) + k + 1));
    }
    console.log(
      `gateway restart: ${created.length} assignments, ${created.length - createdBeforeRestart} after the close began; 3 dashboards resumed exactly`,
    );
    await Promise.all([...first, ...resumed].map((d) => d.close()));
  });
});
