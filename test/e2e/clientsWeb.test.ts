import { spawn } from 'node:child_process';
import path from 'node:path';
import { schema as customerSchema } from '@cx/customer';
import { schema as salesSchema } from '@cx/sales';
import { schema as vehicleSchema } from '@cx/vehicle';
import {
  CustomerLookupError,
  createClient,
  customer360Summary,
  type GraphQLClient,
  UsageError,
} from '@cx/web';
import { and, count, eq, inArray, isNotNull, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../scripts/lib/composition.ts';
import { startTestStack, type TestStack } from '../helpers/testStack.ts';
import { testToken } from '../helpers/tokens.ts';

interface Seeded {
  id: string;
  displayName: string;
  phone: string;
  vins: string[];
  leads: number;
}

/** A seeded customer whose phone is theirs alone and who owns two or more vehicles, from the tables. */
async function pickCustomer(stack: TestStack): Promise<Seeded> {
  const c = customerSchema.customers;
  const phones = await stack.dbs.customer
    .select({ phone: c.phone, n: count() })
    .from(c)
    .where(and(isNull(c.mergedInto), isNotNull(c.phone)))
    .groupBy(c.phone);
  const unique = phones.filter((p) => p.n === 1).map((p) => p.phone!);
  const candidates = await stack.dbs.customer
    .select()
    .from(c)
    .where(and(isNull(c.mergedInto), inArray(c.phone, unique)))
    .orderBy(c.id);
  const o = vehicleSchema.ownerships;
  const owned = await stack.dbs.vehicle
    .select({ customerId: o.customerId, vin: o.vin })
    .from(o)
    .where(
      and(
        isNull(o.endedAt),
        inArray(
          o.customerId,
          candidates.map((x) => x.id),
        ),
      ),
    );
  const vinsOf = (id: string) => owned.filter((r) => r.customerId === id).map((r) => r.vin);
  const chosen = candidates.find((x) => vinsOf(x.id).length >= 2)!;
  const [leads] = await stack.dbs.sales
    .select({ n: count() })
    .from(salesSchema.leads)
    .where(eq(salesSchema.leads.customerId, chosen.id));
  return {
    id: chosen.id,
    displayName: chosen.displayName,
    phone: chosen.phone!,
    vins: vinsOf(chosen.id).sort(),
    leads: leads!.n,
  };
}

const vinLines = (summary: string) =>
  summary
    .split('\n')
    .flatMap((l) => /^ {2}([A-HJ-NPR-Z0-9]{17}) {2}/.exec(l)?.[1] ?? [])
    .sort();

describe('the web client and its customer360 CLI against the supergraph', () => {
  let stack: TestStack;
  let client: GraphQLClient;
  let token: string;
  let seeded: Seeded;

  beforeAll(async () => {
    stack = await startTestStack('clients_web', { customers: 40 });
    token = await testToken({ role: 'hq_admin' });
    client = createClient({ url: stack.gateway.url, token });
    seeded = await pickCustomer(stack);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('summarizes a customer looked up by id, by phone and by VIN identically, as the tables say', async () => {
    const byId = await customer360Summary(client, seeded.id);
    const p = seeded.phone;
    // Any accepted phone format, and a lower-case VIN: the lookups normalize them.
    const byPhone = await customer360Summary(client, `+86 ${p.slice(0, 3)}-${p.slice(3, 7)}-${p.slice(7)}`);
    const byVin = await customer360Summary(client, seeded.vins[0]!.toLowerCase());
    expect(byPhone).toBe(byId);
    expect(byVin).toBe(byId);

    const lines = byId.split('\n');
    expect(lines[0]).toBe(`${seeded.displayName} (customer ${seeded.id})`);
    expect(byId).toContain(`\nVehicles (${seeded.vins.length})\n`);
    expect(vinLines(byId)).toEqual(seeded.vins);
    expect(byId).toMatch(new RegExp(`\\nLeads \\(${seeded.leads}(, latest \\d+)?\\)\\n`));
    for (const title of ['Orders', 'Complaints', 'Surveys'])
      expect(byId).toMatch(new RegExp(`\\n${title} \\(\\d+`));
  });

  it('names what it cannot find, and refuses what is no key at all', async () => {
    await expect(customer360Summary(client, '13800000001')).rejects.toThrow(CustomerLookupError);
    await expect(customer360Summary(client, '13800000001')).rejects.toThrow(
      'no customer with phone 13800000001',
    );
    await expect(customer360Summary(client, 'not-a-key')).rejects.toThrow(UsageError);
  });

  it('`npm run customer360` prints the summary with the token from --token', async () => {
    const child = spawn('npm', ['run', '-s', 'customer360', '--', seeded.vins[1]!, '--token', token], {
      cwd: repoRoot,
      env: { ...process.env, CX_GATEWAY_URL: stack.gateway.url, CX_TOKEN: '' },
    });
    let stdout = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    expect(stdout.trimEnd()).toBe(await customer360Summary(client, seeded.id));

    const noToken = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(repoRoot, 'clients/web/src/cli/customer360.ts'), seeded.id],
      {
        cwd: repoRoot,
        env: { ...process.env, CX_GATEWAY_URL: stack.gateway.url, CX_TOKEN: '' },
      },
    );
    let stderr = '';
    noToken.stderr.on('data', (d) => {
      stderr += d;
    });
    expect(await new Promise((resolve) => noToken.on('close', resolve))).toBe(2);
    expect(stderr).toContain('no token: pass --token <jwt> or set CX_TOKEN');
  });
});
