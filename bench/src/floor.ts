import type { SubgraphName } from '@cx/platform';

/**
 * The floor: the 360 view fetched by one hand-written statement per subgraph, straight from
 * Postgres, the five run in parallel. Each statement reads only its own subgraph's schema, as a
 * subgraph would; the two cross-subgraph reference lookups (dealer and model names) come from
 * maps loaded once, as a hand-written service would cache them.
 */
export type QueryFn = (text: string, params: unknown[]) => Promise<Record<string, unknown>[]>;

const statements: Record<SubgraphName, string> = {
  customer: `
    select c.id, c.display_name as "displayName", c.phone, c.city,
      coalesce((select json_agg(json_build_object('kind', i.kind, 'value', i.display, 'source', i.source, 'verified', i.verified)
                order by i.kind, i.created_at desc, i.source, i.value_key)
                from customer.identities i where i.customer_id = c.id), '[]') as identities,
      coalesce((select json_agg(json_build_object('key', t.key, 'label', t.label, 'kind', t.kind) order by t.kind, t.key)
                from customer.tags t where t.customer_id = c.id), '[]') as tags,
      coalesce((select json_agg(json_build_object('purpose', p.purpose, 'granted', p.granted, 'updatedAt', p.updated_at)
                order by p.purpose)
                from customer.consents p where p.customer_id = c.id), '[]') as consents
    from customer.customers c where c.id = $1`,
  vehicle: `
    select o.vin, o.started_at as "purchasedAt", m.brand, m.series, m.name, m.model_year as "modelYear", m.powertrain,
      (select r.km from vehicle.mileage_readings r where r.vin = o.vin order by r.read_at desc limit 1) as "mileageKm"
    from vehicle.ownerships o
    join vehicle.vehicles v on v.vin = o.vin
    join vehicle.models m on m.code = v.model_code
    where o.customer_id = $1 and o.ended_at is null
    order by o.started_at desc, o.vin`,
  sales: `
    select
      (select count(*)::int from sales.leads where customer_id = $1) as "leadCount",
      coalesce((select json_agg(x) from (
        select l.id, l.status, l.source, l.created_at as "createdAt", l.model_code as "modelCode",
               c.id as "consultantId", c.name as "consultantName", d.code as "dealerCode", d.name as "dealerName"
        from sales.leads l
        left join sales.consultants c on c.id = l.consultant_id
        left join sales.dealers d on d.code = c.dealer_code
        where l.customer_id = $1 order by l.created_at desc, l.id desc limit 5) x), '[]') as leads,
      (select count(*)::int from sales.sales_orders where customer_id = $1) as "orderCount",
      coalesce((select json_agg(x) from (
        select id, status, vin, total_amount as amount, currency
        from sales.sales_orders where customer_id = $1 order by created_at desc, id desc limit 5) x), '[]') as orders`,
  service: `
    select
      coalesce((select json_agg(h) from (
        select v.vin,
          (select count(*)::int from service.repair_orders r where r.vin = v.vin) as "totalCount",
          coalesce((select json_agg(x) from (
            select r.id, r.status, r.opened_at as "openedAt", r.closed_at as "closedAt", r.dealer_code as "dealerCode",
                   r.total_amount as amount, r.currency
            from service.repair_orders r where r.vin = v.vin order by r.opened_at desc, r.id desc limit 5) x), '[]') as nodes
        from (select distinct vin from service.repair_orders where customer_id = $1) v) h), '[]') as history,
      (select count(*)::int from service.complaints where customer_id = $1) as "complaintCount",
      coalesce((select json_agg(x) from (
        select id, status, severity, opened_at as "openedAt"
        from service.complaints where customer_id = $1 order by opened_at desc, id desc limit 5) x), '[]') as complaints`,
  feedback: `
    select
      (select count(*)::int from feedback.survey_responses where customer_id = $1) as "responseCount",
      coalesce((select json_agg(x) from (
        select kind, score, touchpoint, responded_at as "respondedAt"
        from feedback.survey_responses where customer_id = $1 order by responded_at desc, id desc limit 5) x), '[]') as responses`,
};

interface Row {
  [column: string]: unknown;
}
type Json = Record<string, unknown>;

/** Reference names the floor keeps in memory: dealers (sales) and models (vehicle). */
export interface FloorLookups {
  dealerNames: Map<string, string>;
  modelNames: Map<string, string>;
}

export async function loadFloorLookups(query: Record<'sales' | 'vehicle', QueryFn>): Promise<FloorLookups> {
  const [dealers, models] = await Promise.all([
    query.sales('select code, name from sales.dealers', []),
    query.vehicle('select code, name from vehicle.models', []),
  ]);
  return {
    dealerNames: new Map(dealers.map((d) => [String(d.code), String(d.name)])),
    modelNames: new Map(models.map((m) => [String(m.code), String(m.name)])),
  };
}

const money = (row: Json) => ({ amount: String(row.amount), currency: String(row.currency) });

/**
 * One customer's 360 view from five parallel statements, shaped like the contract query's
 * `customer` (unmasked: masking is in-process work a floor leaves out). Null when no such customer.
 */
export async function fetchFloor360(
  query: Record<SubgraphName, QueryFn>,
  lookups: FloorLookups,
  id: string,
): Promise<Json | null> {
  const [customerRows, vehicleRows, salesRows, serviceRows, feedbackRows] = await Promise.all([
    query.customer(statements.customer, [id]),
    query.vehicle(statements.vehicle, [id]),
    query.sales(statements.sales, [id]),
    query.service(statements.service, [id]),
    query.feedback(statements.feedback, [id]),
  ]);
  const customer = customerRows[0];
  if (!customer) return null;
  const sales = salesRows[0] as Row;
  const service = serviceRows[0] as Row;
  const feedback = feedbackRows[0] as Row;
  const history = new Map((service.history as Json[]).map((h) => [String(h.vin), h]));
  return {
    id: customer.id,
    displayName: customer.displayName,
    phone: customer.phone,
    city: customer.city,
    identities: customer.identities,
    tags: customer.tags,
    consents: customer.consents,
    vehicles: vehicleRows.map((v) => {
      const h = history.get(String(v.vin));
      return {
        vin: v.vin,
        model: {
          brand: v.brand,
          series: v.series,
          name: v.name,
          modelYear: v.modelYear,
          powertrain: v.powertrain,
        },
        purchasedAt: v.purchasedAt,
        mileageKm: v.mileageKm,
        serviceHistory: {
          totalCount: h?.totalCount ?? 0,
          nodes: ((h?.nodes as Json[] | undefined) ?? []).map((r) => ({
            id: r.id,
            status: r.status,
            openedAt: r.openedAt,
            closedAt: r.closedAt,
            dealer: { code: r.dealerCode, name: lookups.dealerNames.get(String(r.dealerCode)) ?? null },
            totalAmount: money(r),
          })),
        },
      };
    }),
    leads: {
      totalCount: sales.leadCount,
      nodes: (sales.leads as Json[]).map((l) => ({
        id: l.id,
        status: l.status,
        source: l.source,
        createdAt: l.createdAt,
        interestedModel: l.modelCode ? { name: lookups.modelNames.get(String(l.modelCode)) ?? null } : null,
        assignedConsultant: l.consultantId
          ? { id: l.consultantId, name: l.consultantName, dealer: { code: l.dealerCode, name: l.dealerName } }
          : null,
      })),
    },
    orders: {
      totalCount: sales.orderCount,
      nodes: (sales.orders as Json[]).map((o) => ({
        id: o.id,
        status: o.status,
        vehicle: o.vin ? { vin: o.vin } : null,
        totalAmount: money(o),
      })),
    },
    complaints: { totalCount: service.complaintCount, nodes: service.complaints },
    surveyResponses: { totalCount: feedback.responseCount, nodes: feedback.responses },
  };
}
