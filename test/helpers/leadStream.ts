import { schema as customerSchema } from '@cx/customer';
import { schema as salesSchema } from '@cx/sales';
import { schema as vehicleSchema } from '@cx/vehicle';
import { and, eq, inArray, isNull } from 'drizzle-orm';
import { type Client, createClient } from 'graphql-ws';
import { request } from 'undici';
import { WebSocket } from 'ws';
import {
  type AssignedLead,
  createAssignedLead,
  type LeadInput,
  leadInputs,
} from '../../bench/src/leadInputs.ts';
import { eventually } from './eventually.ts';
import type { GraphQLResult, TestStack } from './testStack.ts';
import { authHeader } from './tokens.ts';

/** The contract's `leadAssigned` payload. */
export interface LeadAssignedEvent {
  cursor: string;
  assignedAt: string;
  reason: string;
  lead: {
    id: string;
    status: string;
    source: string;
    interestedModel: { name: string } | null;
    customer: { id: string; displayName: string; vehicles: { vin: string }[] };
  };
  consultant: { id: string; name: string; dealer: { code: string; name: string } };
}

export interface WsError {
  message: string;
  extensions?: Record<string, unknown>;
}

export interface StreamSubscriber<T> {
  results: { data?: T | null; errors?: WsError[] }[];
  /** Payloads of `error` messages, or the close event when the socket went away. */
  errors: unknown[];
  completed: boolean;
  closeCode: number | null;
  /** Resolves with the first `n` data payloads once they have arrived. */
  received(n: number, timeoutMs?: number): Promise<T[]>;
  close(): Promise<void>;
}

export function wsUrlOf(httpUrl: string): string {
  return httpUrl.replace(/^http/, 'ws');
}

/** A real graphql-ws client on its own socket, recording everything it receives. */
export function subscribe<T>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
): StreamSubscriber<T> {
  let closeCode: number | null = null;
  const client: Client = createClient({
    url,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    // As a dashboard would authenticate; HQ sees every dealer's events.
    connectionParams: () => authHeader({ role: 'hq_admin' }),
    on: {
      closed: (event) => {
        if (typeof event === 'object' && event !== null && 'code' in event && typeof event.code === 'number')
          closeCode = event.code;
      },
    },
  });
  const sub: StreamSubscriber<T> = {
    results: [],
    errors: [],
    completed: false,
    get closeCode() {
      return closeCode;
    },
    received: (n, timeoutMs = 15_000) =>
      eventually(() => {
        const data = sub.results.flatMap((r) => (r.data ? [r.data] : []));
        if (sub.errors.length > 0 || sub.results.some((r) => r.errors))
          throw new Error(`subscription failed: ${JSON.stringify([sub.errors, sub.results])}`);
        if (data.length < n) throw new Error(`${data.length} of ${n} events`);
        return data.slice(0, n);
      }, timeoutMs),
    close: async () => {
      dispose();
      await client.dispose();
    },
  };
  const dispose = client.subscribe<T>(
    { query, variables },
    {
      next: (result) => {
        sub.results.push(result as { data?: T | null; errors?: WsError[] });
      },
      error: (error) => {
        sub.errors.push(error);
      },
      complete: () => {
        sub.completed = true;
      },
    },
  );
  return sub;
}

export async function postGraphql<T>(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
): Promise<GraphQLResult<T>> {
  const res = await request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(await authHeader({ role: 'hq_admin' })) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.body.json()) as Omit<GraphQLResult<T>, 'status'>;
  return { status: res.statusCode, ...body };
}

/** Creates leads through the gateway, each assigned and so writing one stream event. */
export class LeadFactory {
  private inputs: LeadInput[] | null = null;
  private next = 0;

  constructor(private readonly stack: TestStack) {}

  async create(count: number, gatewayUrl = this.stack.gateway.url): Promise<AssignedLead[]> {
    this.inputs ??= await leadInputs(this.stack.dbs);
    const inputs = this.inputs;
    const created: AssignedLead[] = [];
    while (created.length < count) {
      const auth = await authHeader({ role: 'hq_admin' });
      const lead = await createAssignedLead(gatewayUrl, () => inputs[this.next++], auth);
      if (!lead) throw new Error('ran out of (customer, model) pairs');
      created.push(lead);
    }
    return created;
  }
}

/** What each subgraph's own tables say an event must show: the cross-subgraph fields' ground truth. */
export async function expectedEventFacts(stack: TestStack, events: LeadAssignedEvent[]) {
  const customerIds = [...new Set(events.map((e) => e.lead.customer.id))];
  const consultantIds = [...new Set(events.map((e) => e.consultant.id))];
  const customers = await stack.dbs.customer
    .select({ id: customerSchema.customers.id, displayName: customerSchema.customers.displayName })
    .from(customerSchema.customers)
    .where(inArray(customerSchema.customers.id, customerIds));
  const owned = await stack.dbs.vehicle
    .select({ customerId: vehicleSchema.ownerships.customerId, vin: vehicleSchema.ownerships.vin })
    .from(vehicleSchema.ownerships)
    .where(
      and(
        inArray(vehicleSchema.ownerships.customerId, customerIds),
        isNull(vehicleSchema.ownerships.endedAt),
      ),
    );
  const consultants = await stack.dbs.sales
    .select({
      id: salesSchema.consultants.id,
      dealerCode: salesSchema.dealers.code,
      dealerName: salesSchema.dealers.name,
    })
    .from(salesSchema.consultants)
    .innerJoin(salesSchema.dealers, eq(salesSchema.dealers.code, salesSchema.consultants.dealerCode))
    .where(inArray(salesSchema.consultants.id, consultantIds));
  return {
    displayName: new Map(customers.map((c) => [c.id, c.displayName])),
    vins: (customerId: string) =>
      owned
        .filter((o) => o.customerId === customerId)
        .map((o) => o.vin)
        .sort(),
    dealer: new Map(consultants.map((c) => [c.id, { code: c.dealerCode, name: c.dealerName }])),
  };
}

export async function modelNames(stack: TestStack): Promise<Map<string, string>> {
  const rows = await stack.dbs.vehicle
    .select({ code: vehicleSchema.models.code, name: vehicleSchema.models.name })
    .from(vehicleSchema.models);
  return new Map(rows.map((r) => [r.code, r.name]));
}

/**
 * A live-only stream starts where the sales subgraph stands when the gateway's shared subscription
 * reaches it, so a lead created just before is not streamed. Creates leads one by one until
 * `arrived()` reports one (of them) delivered, and returns every lead it created.
 */
export async function createUntilDelivered(
  leads: LeadFactory,
  arrived: () => boolean,
  gatewayUrl?: string,
): Promise<AssignedLead[]> {
  const created: AssignedLead[] = [];
  for (let attempt = 0; attempt < 20; attempt += 1) {
    created.push(...(await leads.create(1, gatewayUrl)));
    const seen = await eventually(() => {
      if (!arrived()) throw new Error('not yet');
      return true;
    }, 1_000).catch(() => false);
    if (seen) return created;
  }
  throw new Error('no event reached the live subscriber');
}
