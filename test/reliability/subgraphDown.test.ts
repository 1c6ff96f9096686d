import { schema as customerSchema } from '@cx/customer';
import type { SubgraphName } from '@cx/platform';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractOperation } from '../helpers/contract.ts';
import { eventually } from '../helpers/eventually.ts';
import { restartSubgraph } from '../helpers/reliability.ts';
import { startTestStack, type TestStack } from '../helpers/testStack.ts';

const customer360 = contractOperation('customer360.graphql');

interface Readiness {
  status: string;
  subgraphs: Record<string, string>;
  down?: string[];
}

let stack: TestStack;
let customerId: string;

async function readiness(): Promise<{ status: number; body: Readiness }> {
  const res = await request(new URL('/readyz', stack.gateway.url));
  return { status: res.statusCode, body: (await res.body.json()) as Readiness };
}

beforeAll(async () => {
  stack = await startTestStack('rel_subgraph_down', { customers: 30 });
  const [row] = await stack.dbs.customer
    .select({ id: customerSchema.customers.id })
    .from(customerSchema.customers)
    .limit(1);
  customerId = row!.id;
});

afterAll(async () => {
  await stack?.stop();
});

type Customer360 = Record<string, unknown> & {
  vehicles: ({ serviceHistory: { nodes: unknown[] } | null } & Record<string, unknown>)[] | null;
  leads: { nodes: { interestedModel: unknown }[] } | null;
};

/**
 * What the 360 view must still show with one subgraph down: everything, except the fields that
 * subgraph contributes (null), and parts that need one of its fields inside them (the dealer name
 * of a repair order comes from sales, a model name from vehicle), which null up to the nearest
 * nullable field.
 */
const withoutSubgraph: Record<string, (c: Customer360) => void> = {
  feedback: (c) => {
    c.surveyResponses = null;
  },
  service: (c) => {
    c.complaints = null;
    for (const v of c.vehicles ?? []) v.serviceHistory = null;
  },
  sales: (c) => {
    c.leads = null;
    c.orders = null;
    for (const v of c.vehicles ?? []) if (v.serviceHistory?.nodes.length) v.serviceHistory = null;
  },
  vehicle: (c) => {
    c.vehicles = null;
    for (const l of c.leads?.nodes ?? []) l.interestedModel = null;
  },
};

describe('a subgraph goes down under a running gateway', () => {
  it.each(Object.keys(withoutSubgraph) as SubgraphName[])(
    '%s down: the 360 query keeps the other parts, errors name the subgraph, no 500; recovery is automatic',
    async (name) => {
      const healthy = await stack.graphql<{ customer: Customer360 }>(customer360, { id: customerId });
      expect(healthy.status).toBe(200);
      expect(healthy.errors).toBeUndefined();
      expect((await readiness()).status).toBe(200);
      // Some of the customer's data comes from every subgraph, so each outage is visible.
      expect(healthy.data!.customer.vehicles?.length).toBeGreaterThan(0);
      expect(healthy.data!.customer.leads?.nodes.length).toBeGreaterThan(0);

      const port = stack.subgraphs[name].port;
      await stack.subgraphs[name].close();
      try {
        const degraded = await stack.graphql<{ customer: Customer360 | null }>(customer360, {
          id: customerId,
        });
        expect(degraded.status).toBe(200);
        const expected = structuredClone(healthy.data!.customer);
        withoutSubgraph[name]!(expected);
        expect(degraded.data?.customer).toEqual(expected);
        // A clear, closed error naming the subgraph, on the customer whose fields are missing.
        expect(degraded.errors?.length).toBeGreaterThan(0);
        for (const error of degraded.errors ?? []) {
          expect(error.extensions?.code).toBe('SUBGRAPH_UNAVAILABLE');
          expect(error.extensions?.subgraph).toBe(name);
          expect(error.path?.[0]).toBe('customer');
        }

        const ready = await readiness();
        expect(ready.status).toBe(503);
        expect(ready.body.down).toEqual([name]);
        expect(ready.body.subgraphs[name]).toBe('down');
      } finally {
        // Back on the same port: the gateway's pool reconnects by itself, nothing is reconfigured.
        await restartSubgraph(stack, name, port);
      }
      await eventually(async () => {
        const recovered = await stack.graphql<{ customer: Customer360 }>(customer360, { id: customerId });
        expect(recovered.status).toBe(200);
        expect(recovered.errors).toBeUndefined();
        expect(recovered.data).toEqual(healthy.data);
      }, 20_000);
      expect((await readiness()).status).toBe(200);
    },
  );
});
