import { schema as customerSchema } from '@cx/customer';
import type { Db } from '@cx/platform';
import { schema as salesSchema } from '@cx/sales';
import { schema as vehicleSchema } from '@cx/vehicle';
import { and, asc, gte, notInArray } from 'drizzle-orm';
import { request } from 'undici';

/** A `leadCreate` input for a seeded customer: their own city and preferred dealer, as a dealer app sends them. */
export interface LeadInput {
  customerId: string;
  modelCode: string;
  source: 'APP';
  city: string | null;
  preferredDealerCode: string | null;
}

export interface AssignedLead {
  id: string;
  customerId: string;
  modelCode: string;
  /** performance.now() when the request was sent and when its response was read. */
  sentAt: number;
  answeredAt: number;
}

/** A lead in any other status is open: it counts as a duplicate, and it holds its consultant's capacity. */
export const closedLeadStatuses = ['WON', 'LOST'] as const;

/** The sales subgraph's duplicate window: an open lead this recent makes a new one for the same pair a duplicate. */
const DUPLICATE_WINDOW_MS = 30 * 24 * 60 * 60 * 1000;

/**
 * Every (model, customer) pair of the seeded data that can create a new lead now, in a fixed order:
 * distinct pairs never collide as duplicates. With `sales`, pairs holding an open lead inside the
 * duplicate window (seeded, or left by earlier bench runs on the same database) are left out, so a
 * reused dataset does not run out of pairs.
 */
export async function leadInputs(dbs: { customer: Db; vehicle: Db; sales?: Db }): Promise<LeadInput[]> {
  const c = customerSchema.customers;
  const customers = await dbs.customer
    .select({ id: c.id, city: c.city, dealer: c.preferredDealerCode })
    .from(c)
    .orderBy(asc(c.id));
  const models = await dbs.vehicle
    .select({ code: vehicleSchema.models.code })
    .from(vehicleSchema.models)
    .orderBy(asc(vehicleSchema.models.code));
  const l = salesSchema.leads;
  const open = new Set(
    dbs.sales
      ? (
          await dbs.sales
            .selectDistinct({ customerId: l.customerId, modelCode: l.modelCode })
            .from(l)
            .where(
              and(
                gte(l.createdAt, new Date(Date.now() - DUPLICATE_WINDOW_MS)),
                notInArray(l.status, [...closedLeadStatuses]),
              ),
            )
        ).map((r) => `${r.customerId} ${r.modelCode ?? ''}`)
      : [],
  );
  return models.flatMap((m) =>
    customers.flatMap((cu) =>
      open.has(`${cu.id} ${m.code}`)
        ? []
        : [
            {
              customerId: cu.id,
              modelCode: m.code,
              source: 'APP' as const,
              city: cu.city,
              preferredDealerCode: cu.dealer,
            },
          ],
    ),
  );
}

const leadCreate = `mutation ($input: LeadCreateInput!) {
  leadCreate(input: $input) { lead { id status createdAt } userErrors { field code message } }
}`;

interface LeadCreateResponse {
  data?: {
    leadCreate: {
      lead: { id: string; status: string; createdAt: string } | null;
      userErrors: { field: string; code: string; message: string }[];
    };
  };
  errors?: { message: string }[];
}

/**
 * Sends inputs from `next` through the gateway until one creates a new, assigned lead, i.e. one
 * stream event. An input answered with an open duplicate (created before the request: the seed
 * has recent leads) or with an unassigned lead is skipped. Null when the inputs run out.
 */
export async function createAssignedLead(
  gatewayUrl: string,
  next: () => LeadInput | undefined,
  headers: Record<string, string> = {},
  /** Called with every lead this call created, assigned or not (not with open duplicates it was answered with). */
  onCreated?: (leadId: string) => void,
): Promise<AssignedLead | null> {
  for (let input = next(); input; input = next()) {
    const startedAt = Date.now();
    const sentAt = performance.now();
    const res = await request(gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query: leadCreate, variables: { input } }),
    });
    const body = (await res.body.json()) as LeadCreateResponse;
    const answeredAt = performance.now();
    if (body.errors || !body.data) throw new Error(`leadCreate failed: ${JSON.stringify(body.errors)}`);
    const { lead, userErrors } = body.data.leadCreate;
    if (userErrors.length > 0) throw new Error(`leadCreate rejected: ${JSON.stringify(userErrors)}`);
    const created = lead !== null && Date.parse(lead.createdAt) >= startedAt - 1;
    if (created) onCreated?.(lead.id);
    if (created && lead.status === 'ASSIGNED')
      return { id: lead.id, customerId: input.customerId, modelCode: input.modelCode, sentAt, answeredAt };
  }
  return null;
}
