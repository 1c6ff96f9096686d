import { readFileSync } from 'node:fs';
import { schema as customerSchema } from '@cx/customer';
import { createGatewaySecurity, type RunningGateway, startGateway } from '@cx/gateway';
import { mintDevToken } from '@cx/gateway/auth';
import { operationHash } from '@cx/gateway/persisted';
import { createLogger, INTERNAL_AUTH_HEADER, signInternalAuth, subgraphNames } from '@cx/platform';
import { schema as salesSchema } from '@cx/sales';
import { and, eq, ne } from 'drizzle-orm';
import { createClient } from 'graphql-ws';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createAssignedLead, leadInputs } from '../../bench/src/leadInputs.ts';
import { supergraphPath } from '../../scripts/lib/composition.ts';
import { contractOperation } from '../helpers/contract.ts';
import { eventually } from '../helpers/eventually.ts';
import { startTestStack, type TestStack, testSecurity } from '../helpers/testStack.ts';
import { authHeader, testInternalAuthSecret, testJwt } from '../helpers/tokens.ts';

const customer360 = contractOperation('customer360.graphql');

interface C360 {
  customer: {
    id: string;
    phone: string | null;
    leads: {
      totalCount: number;
      nodes: { assignedConsultant: { id: string; dealer: { code: string } } | null }[];
    };
    orders: { totalCount: number };
  } | null;
}

describe('security: authentication, row scope, masking and abuse limits', () => {
  let stack: TestStack;
  let mine: { id: string; dealer: string; phone: string };
  let theirs: { id: string; dealer: string };
  const extra: RunningGateway[] = [];

  beforeAll(async () => {
    stack = await startTestStack('security', { customers: 40 });
    const [a] = await stack.dbs.customer
      .select()
      .from(customerSchema.customers)
      .orderBy(customerSchema.customers.id)
      .limit(1);
    mine = { id: a!.id, dealer: a!.preferredDealerCode!, phone: a!.phone! };
    const [b] = await stack.dbs.customer
      .select()
      .from(customerSchema.customers)
      .where(ne(customerSchema.customers.preferredDealerCode, mine.dealer))
      .limit(1);
    theirs = { id: b!.id, dealer: b!.preferredDealerCode! };
  });
  afterAll(async () => {
    for (const g of extra) await g.close();
    await stack?.stop();
  });

  async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
    const res = await request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    return {
      status: res.statusCode,
      headers: res.headers,
      body: (await res.body.json()) as {
        data?: C360 & Record<string, unknown>;
        errors?: { message: string; extensions?: Record<string, unknown> }[];
      },
    };
  }

  it('answers 401 without a valid token, but keeps health endpoints open', async () => {
    const none = await post(stack.gateway.url, { query: '{ __typename }' });
    expect(none.status).toBe(401);
    expect(none.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const good = await mintDevToken({ role: 'hq_admin' }, testJwt);
    const [h, p] = good.split('.');
    const tampered = await post(
      stack.gateway.url,
      { query: '{ __typename }' },
      { authorization: `Bearer ${h}.${p}.AAAA` },
    );
    expect(tampered.status).toBe(401);
    const expired = await post(
      stack.gateway.url,
      { query: '{ __typename }' },
      await authHeader({ role: 'hq_admin', ttl: -120 }),
    );
    expect(expired.status).toBe(401);
    expect(expired.body.errors?.[0]?.message).toContain('expired');
    const wrongAudience = await mintDevToken({ role: 'hq_admin' }, { ...testJwt, audience: 'someone-else' });
    expect(
      (
        await post(
          stack.gateway.url,
          { query: '{ __typename }' },
          { authorization: `Bearer ${wrongAudience}` },
        )
      ).status,
    ).toBe(401);
    const health = await request(stack.gateway.url.replace('/graphql', '/healthz'));
    expect(health.statusCode).toBe(200);
    await health.body.dump();
  });

  it('refuses direct calls to a subgraph without the gateway-signed header', async () => {
    const url = stack.subgraphs.customer.url;
    const query = {
      query: `query($id: ID!) { customer(id: $id) { displayName } }`,
      variables: { id: mine.id },
    };
    expect((await post(url, query)).status).toBe(401);
    const forged = signInternalAuth(
      { sub: 'x', role: 'hq_admin', scopes: ['pii:read'] },
      'not-the-shared-secret-0123456789',
    );
    expect((await post(url, query, { [INTERNAL_AUTH_HEADER]: forged })).status).toBe(401);
    const stale = signInternalAuth(
      { sub: 'x', role: 'hq_admin', scopes: [] },
      testInternalAuthSecret,
      Date.now() - 10 * 60_000,
    );
    expect((await post(url, query, { [INTERNAL_AUTH_HEADER]: stale })).status).toBe(401);
    const valid = signInternalAuth({ sub: 'x', role: 'hq_admin', scopes: [] }, testInternalAuthSecret);
    expect((await post(url, query, { [INTERNAL_AUTH_HEADER]: valid })).status).toBe(200);
  });

  it('applies the role matrix to the contract 360 query: allowed, masked or forbidden', async () => {
    const run = async (claims: Parameters<typeof authHeader>[0], id = mine.id) =>
      stack.graphql<C360>(customer360, { id }, await authHeader(claims));
    const masked = /^1\d{2}\*{4}\d{4}$/;

    const admin = await run({ role: 'hq_admin' });
    expect(admin.errors).toBeUndefined();
    expect(admin.data!.customer!.phone).toBe(mine.phone);
    const analyst = await run({ role: 'hq_analyst' });
    expect(analyst.data!.customer!.phone).toMatch(masked);
    expect(analyst.data!.customer!.leads.totalCount).toBeGreaterThan(0);

    for (const role of ['dealer_manager', 'service_advisor', 'dms_integration'] as const) {
      const own = await run({ role, dealer: mine.dealer });
      expect(own.errors, role).toBeUndefined();
      expect(own.data!.customer!.id).toBe(mine.id);
      expect(own.data!.customer!.phone).toMatch(masked);
      const other = await run({ role, dealer: mine.dealer }, theirs.id);
      expect(other.data?.customer ?? null, role).toBeNull();
      expect(other.errors?.[0]?.extensions?.code, role).toBe('FORBIDDEN');
    }
    // With the PII scope and the customer's data-sharing consent (seeded as granted), a dealer sees the phone.
    const withScope = await run({ role: 'dealer_manager', dealer: mine.dealer, scope: 'pii:read' });
    expect(withScope.data!.customer!.phone).toBe(mine.phone);

    // A sales consultant sees only the leads assigned to them.
    const [lead] = await stack.dbs.sales
      .select()
      .from(salesSchema.leads)
      .where(eq(salesSchema.leads.customerId, mine.id))
      .limit(1);
    const assigned = await stack.dbs.sales
      .select()
      .from(salesSchema.leads)
      .where(
        and(
          eq(salesSchema.leads.customerId, mine.id),
          eq(salesSchema.leads.consultantId, lead!.consultantId!),
        ),
      );
    const consultant = await run({
      role: 'sales_consultant',
      dealer: mine.dealer,
      consultant: lead!.consultantId!,
    });
    expect(consultant.data!.customer!.leads.totalCount).toBe(assigned.length);
    expect(
      consultant.data!.customer!.leads.nodes.every((n) => n.assignedConsultant?.id === lead!.consultantId),
    ).toBe(true);
  });

  it('keeps dealer B out of dealer A customers by search and by forged entity representations', async () => {
    const dealerA = await authHeader({ role: 'dealer_manager', dealer: mine.dealer });
    const search = await stack.graphql<{ customers: { nodes: { id: string }[]; totalCount: number } }>(
      `{ customers(first: 100) { totalCount nodes { id } } }`,
      {},
      dealerA,
    );
    expect(search.errors).toBeUndefined();
    const ids = search.data!.customers.nodes.map((n) => n.id);
    expect(ids).toContain(mine.id);
    expect(ids).not.toContain(theirs.id);
    const visible = await stack.dbs.customer
      .select()
      .from(customerSchema.customers)
      .where(eq(customerSchema.customers.preferredDealerCode, mine.dealer));
    expect(search.data!.customers.totalCount).toBe(visible.length);
    const otherDealer = await stack.graphql(
      `{ customers(filter: { dealerCode: "${theirs.dealer}" }) { totalCount } }`,
      {},
      dealerA,
    );
    expect(otherDealer.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    // _entities is not in the public API; straight at the subgraph, even with dealer A's valid signature, B stays hidden.
    const header = signInternalAuth(
      { sub: 'a', role: 'dealer_manager', dealer: mine.dealer, scopes: [] },
      testInternalAuthSecret,
    );
    const forged = await post(
      stack.subgraphs.customer.url,
      {
        query: `query($r: [_Any!]!) { _entities(representations: $r) { ... on Customer { id displayName } } }`,
        variables: { r: [{ __typename: 'Customer', id: theirs.id }] },
      },
      { [INTERNAL_AUTH_HEADER]: header },
    );
    expect((forged.body.data as unknown as { _entities: unknown[] })._entities[0]).toBeNull();
    expect(forged.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const leads = await post(
      stack.subgraphs.sales.url,
      {
        query: `query($r: [_Any!]!) { _entities(representations: $r) { ... on Customer { leads { totalCount } } } }`,
        variables: { r: [{ __typename: 'Customer', id: theirs.id }] },
      },
      { [INTERNAL_AUTH_HEADER]: header },
    );
    expect(
      (leads.body.data as unknown as { _entities: { leads: { totalCount: number } }[] })._entities[0]!.leads
        .totalCount,
    ).toBe(0);
  });

  it("streams to a dealer only its own dealer's assignments, whatever dealerCode it asks for", async () => {
    const wsUrl = stack.gateway.url.replace(/^http/, 'ws');
    const seen: { dealer: string; leadId: string }[] = [];
    const client = createClient({
      url: wsUrl,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      connectionParams: await authHeader({ role: 'dealer_manager', dealer: mine.dealer }),
    });
    const query = `subscription($d: String, $after: String) { leadAssigned(dealerCode: $d, after: $after) { cursor lead { id } consultant { dealer { code } } } }`;
    // Asks for the other dealer's stream from the beginning: the gateway pins it to the token's dealer.
    const dispose = client.subscribe<{
      leadAssigned: { lead: { id: string }; consultant: { dealer: { code: string } } };
    }>(
      { query, variables: { d: theirs.dealer, after: '0' } },
      {
        next: (r) => {
          if (r.data)
            seen.push({
              dealer: r.data.leadAssigned.consultant.dealer.code,
              leadId: r.data.leadAssigned.lead.id,
            });
        },
        error: () => {},
        complete: () => {},
      },
    );
    const inputs = await leadInputs(stack.dbs);
    const ofDealer = (d: string) => inputs.filter((i) => i.preferredDealerCode === d);
    const ownLead = await createAssignedLead(
      stack.gateway.url,
      (() => {
        const list = ofDealer(mine.dealer);
        return () => list.shift();
      })(),
      await authHeader({ role: 'hq_admin' }),
    );
    const otherLead = await createAssignedLead(
      stack.gateway.url,
      (() => {
        const list = ofDealer(theirs.dealer);
        return () => list.shift();
      })(),
      await authHeader({ role: 'hq_admin' }),
    );
    expect(ownLead && otherLead).toBeTruthy();
    await eventually(() => expect(seen.map((e) => e.leadId)).toContain(ownLead!.id), 15_000);
    expect(seen.every((e) => e.dealer === mine.dealer)).toBe(true);
    expect(seen.map((e) => e.leadId)).not.toContain(otherLead!.id);
    dispose();
    await client.dispose();
    // A connection without a valid token is refused at connection_init.
    const anonymous = createClient({ url: wsUrl, webSocketImpl: WebSocket, retryAttempts: 0 });
    const refused = await new Promise<unknown>((resolve) => {
      anonymous.subscribe(
        { query, variables: {} },
        { next: () => {}, error: resolve, complete: () => resolve(null) },
      );
    });
    expect((refused as { code?: number } | null)?.code).toBe(4403);
    await anonymous.dispose();
  });

  it('rejects depth, alias and cost bombs before any subgraph is called', async () => {
    for (const n of subgraphNames) stack.databases[n].counter.reset();
    const deep = await stack.graphql(
      `query($id: ID!) { customer(id: $id) { leads { nodes { customer { leads { nodes { customer { leads { nodes { customer { leads { nodes { customer { id } } } } } } } } } } } } } }`,
      { id: mine.id },
    );
    expect(deep.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'depth' });
    const aliases = await stack.graphql(
      `{ ${Array.from({ length: 40 }, (_, i) => `a${i}: dealers { code }`).join(' ')} }`,
    );
    expect(aliases.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'aliases' });
    const cost = await stack.graphql(
      `{ customers(first: 100) { nodes { leads(first: 100) { nodes { id status } } orders(first: 100) { nodes { id } } } } }`,
    );
    expect(cost.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'cost' });
    for (const n of subgraphNames) expect(stack.databases[n].counter.requestCount, n).toBe(0);
  });

  it('rate-limits per token and, in allowlist mode, runs only registered operations', async () => {
    const sdl = readFileSync(supergraphPath, 'utf8');
    const subgraphUrls = Object.fromEntries(subgraphNames.map((n) => [n, stack.subgraphs[n].url]));
    const limited = await startGateway({
      supergraphSdl: sdl,
      subgraphUrls,
      logger: createLogger('gateway', 'silent'),
      security: createGatewaySecurity(testSecurity({ rateLimitPerMinute: 2, allowlistOnly: true })),
    });
    extra.push(limited);
    const token = await authHeader({ role: 'hq_analyst', sub: 'rate-test' });
    const byHash = {
      extensions: { persistedQuery: { version: 1, sha256Hash: operationHash(customer360) } },
      variables: { id: mine.id },
    };
    const first = await post(limited.url, byHash, token);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.data?.customer?.id).toBe(mine.id);
    const adHoc = await post(limited.url, { query: '{ dealers { code } }' }, token);
    expect(adHoc.status).toBe(403);
    expect(adHoc.body.errors?.[0]?.extensions?.code).toBe('OPERATION_NOT_ALLOWED');
    const third = await post(limited.url, byHash, token);
    expect(third.status).toBe(429);
    expect(Number(third.headers['retry-after'])).toBeGreaterThan(0);
    // Another token has its own budget.
    expect(
      (await post(limited.url, byHash, await authHeader({ role: 'hq_analyst', sub: 'someone-else' }))).status,
    ).toBe(200);
  });
});
