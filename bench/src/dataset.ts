import { nationalIdCheckChar } from '@cx/platform/domain/nationalId';
import { vinCheckDigit } from '@cx/platform/domain/vin';
import {
  type CityInfo,
  cities,
  givenNames,
  type ModelInfo,
  mobilePrefixes,
  models,
  surnames,
} from './catalog.ts';
import { Random } from './random.ts';

/**
 * The demo dataset, generated deterministically from a seed. Each part belongs to one subgraph;
 * cross-subgraph links are ids only, as they are in production.
 */
export interface DatasetOptions {
  customers: number;
  seed: number;
  /** "Now" of the dataset; history is generated in the years before it. */
  now: Date;
}

export interface DealerData {
  code: string;
  name: string;
  city: CityInfo;
  latitude: number;
  longitude: number;
}
export interface ConsultantData {
  id: string;
  dealerCode: string;
  name: string;
  skills: string[];
}
export interface CustomerData {
  id: string;
  externalId: string;
  name: string;
  phone: string;
  nationalId: string | null;
  email: string | null;
  city: CityInfo;
  dealerCode: string;
  createdAt: Date;
  marketingConsent: boolean;
}
export interface VehicleData {
  vin: string;
  model: ModelInfo;
  customerId: string;
  dealerCode: string;
  purchasedAt: Date;
  mileageKm: number;
}
export interface RepairOrderData {
  id: string;
  externalId: string;
  vin: string;
  customerId: string;
  dealerCode: string;
  status: 'OPEN' | 'IN_REPAIR' | 'SETTLED' | 'DELIVERED';
  openedAt: Date;
  closedAt: Date | null;
  mileageKm: number;
  lines: { kind: 'LABOR' | 'PART'; description: string; quantity: number; unitPrice: number }[];
}
export interface LeadData {
  id: string;
  customerId: string;
  dealerCode: string;
  consultantId: string;
  modelCode: string;
  source: 'WEBSITE' | 'APP' | 'MEDIA_PLATFORM' | 'CALL_CENTER' | 'SHOWROOM' | 'CAMPAIGN';
  status: 'ASSIGNED' | 'CONTACTED' | 'VISITED' | 'TEST_DRIVEN' | 'WON' | 'LOST';
  grade: 'H' | 'A' | 'B' | 'C';
  city: string;
  createdAt: Date;
  assignedAt: Date;
  firstContactAt: Date | null;
}
export interface OrderData {
  id: string;
  customerId: string;
  leadId: string | null;
  dealerCode: string;
  vin: string;
  modelCode: string;
  totalAmount: number;
  createdAt: Date;
  deliveredAt: Date;
}
export interface ComplaintData {
  id: string;
  customerId: string;
  dealerCode: string;
  severity: 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL';
  status: 'OPEN' | 'ACKNOWLEDGED' | 'RESOLVED';
  description: string;
  openedAt: Date;
}
export interface SurveyResponseData {
  id: string;
  customerId: string;
  dealerCode: string;
  modelCode: string | null;
  region: string;
  kind: 'NPS' | 'CSAT' | 'CES';
  touchpoint: 'TEST_DRIVE' | 'DELIVERY' | 'FIRST_MAINTENANCE' | 'REPAIR_ORDER_CLOSED';
  score: number;
  respondedAt: Date;
}

/** Everything one customer brings, generated together so the links are coherent. */
export interface CustomerBundle {
  customer: CustomerData;
  vehicles: VehicleData[];
  repairOrders: RepairOrderData[];
  leads: LeadData[];
  orders: OrderData[];
  complaints: ComplaintData[];
  surveyResponses: SurveyResponseData[];
}

const DAY = 86_400_000;
const vinYearCodes: Record<number, string> = { 2022: 'N', 2023: 'P', 2024: 'R', 2025: 'S', 2026: 'T' };

export function dealerCount(customers: number): number {
  return Math.max(4, Math.min(400, Math.round(customers / 100)));
}

export function generateDealers(options: DatasetOptions): {
  dealers: DealerData[];
  consultants: ConsultantData[];
} {
  const rnd = new Random(options.seed * 7919 + 1);
  const dealers: DealerData[] = [];
  const consultants: ConsultantData[] = [];
  const count = dealerCount(options.customers);
  for (let i = 0; i < count; i += 1) {
    const city = cities[i % cities.length]!;
    const n = Math.floor(i / cities.length) + 1;
    const code = `${city.dealerPrefix}${String(n).padStart(3, '0')}`;
    dealers.push({
      code,
      name: `${city.city} GWM 4S Store ${n}`,
      city,
      latitude: 20 + rnd.next() * 25,
      longitude: 100 + rnd.next() * 22,
    });
    const brands = ['Haval', 'WEY', 'Tank', 'ORA', 'Great Wall'];
    for (let c = 0; c < 5; c += 1) {
      consultants.push({
        id: rnd.uuid(),
        dealerCode: code,
        name: `${rnd.pick(surnames)} ${rnd.pick(givenNames)}`,
        skills: c === 0 ? [] : [brands[c % brands.length]!, brands[(c + 1) % brands.length]!],
      });
    }
  }
  return { dealers, consultants };
}

export function phoneFor(rnd: Random): string {
  return `${rnd.pick(mobilePrefixes)}${rnd.digits(8)}`;
}

export function nationalIdFor(rnd: Random, city: CityInfo, birth: Date): string {
  const ymd = birth.toISOString().slice(0, 10).replaceAll('-', '');
  const first17 = `${city.areaCode}${ymd}${rnd.digits(3)}`;
  return `${first17}${nationalIdCheckChar(first17)}`;
}

const plants = 'ABCDEFGHJKLMNPRSTVWXY';

/** WMI LGW (Great Wall), the model's VDS, the check digit, year, plant and a 6-digit serial. */
export function vinFor(model: ModelInfo, year: number, serial: number): string {
  const plant = plants[Math.floor(serial / 1_000_000) % plants.length]!;
  const draft = `LGW${model.vds}0${vinYearCodes[year] ?? 'R'}${plant}${String(serial % 1_000_000).padStart(6, '0')}`;
  return `${draft.slice(0, 8)}${vinCheckDigit(draft)}${draft.slice(9)}`;
}

/**
 * Generates customers in order; each bundle depends only on the seed and its index, so a
 * million-customer run can stream bundles without holding them all in memory.
 */
export function* generateCustomers(
  options: DatasetOptions,
  dealers: DealerData[],
  consultants: ConsultantData[],
): Generator<CustomerBundle> {
  const consultantsOf = new Map<string, ConsultantData[]>();
  for (const c of consultants)
    consultantsOf.set(c.dealerCode, [...(consultantsOf.get(c.dealerCode) ?? []), c]);
  const start = new Date(options.now.getTime() - 4 * 365 * DAY);
  let vinSerial = 0;
  for (let i = 0; i < options.customers; i += 1) {
    const rnd = new Random(options.seed * 1_000_003 + i);
    const dealer = dealers[i % dealers.length]!;
    const city = dealer.city;
    const createdAt = rnd.dateBetween(start, new Date(options.now.getTime() - 30 * DAY));
    const birth = rnd.dateBetween(new Date('1960-01-01T00:00:00Z'), new Date('2002-12-31T00:00:00Z'));
    const name = `${rnd.pick(surnames)} ${rnd.pick(givenNames)}`;
    const customer: CustomerData = {
      id: rnd.uuid(),
      externalId: `DMS-${dealer.code}-${String(i + 1).padStart(7, '0')}`,
      name,
      phone: phoneFor(rnd),
      nationalId: rnd.chance(0.6) ? nationalIdFor(rnd, city, birth) : null,
      email: rnd.chance(0.3) ? `${name.toLowerCase().replace(' ', '.')}${i}@example.com` : null,
      city,
      dealerCode: dealer.code,
      createdAt,
      marketingConsent: rnd.chance(0.7),
    };
    const bundle: CustomerBundle = {
      customer,
      vehicles: [],
      repairOrders: [],
      leads: [],
      orders: [],
      complaints: [],
      surveyResponses: [],
    };
    const team = consultantsOf.get(dealer.code)!;

    // About 1.5 vehicles per customer, each sold through a lead and an order at the home dealer.
    const vehicleCount = rnd.chance(0.5) ? 2 : 1;
    for (let v = 0; v < vehicleCount; v += 1) {
      const model = rnd.pick(models);
      const purchasedAt = rnd.dateBetween(createdAt, new Date(options.now.getTime() - 14 * DAY));
      vinSerial += 1;
      const year = Math.min(model.modelYear, purchasedAt.getUTCFullYear() + 1);
      const vin = vinFor(model, year, vinSerial);
      const ageDays = (options.now.getTime() - purchasedAt.getTime()) / DAY;
      const mileageKm = Math.round(ageDays * rnd.int(20, 60));
      bundle.vehicles.push({
        vin,
        model,
        customerId: customer.id,
        dealerCode: dealer.code,
        purchasedAt,
        mileageKm,
      });
      const consultant = rnd.pick(team);
      const leadCreated = new Date(purchasedAt.getTime() - rnd.int(5, 40) * DAY);
      const leadId = rnd.uuid();
      bundle.leads.push({
        id: leadId,
        customerId: customer.id,
        dealerCode: dealer.code,
        consultantId: consultant.id,
        modelCode: model.code,
        source: rnd.pick([
          'WEBSITE',
          'APP',
          'MEDIA_PLATFORM',
          'CALL_CENTER',
          'SHOWROOM',
          'CAMPAIGN',
        ] as const),
        status: 'WON',
        grade: 'H',
        city: city.city,
        createdAt: leadCreated,
        assignedAt: new Date(leadCreated.getTime() + rnd.int(5, 55) * 1000),
        firstContactAt: new Date(leadCreated.getTime() + rnd.int(60, 1800) * 1000),
      });
      const price =
        Number(model.priceMin) + Math.round(rnd.next() * (Number(model.priceMax) - Number(model.priceMin)));
      bundle.orders.push({
        id: rnd.uuid(),
        customerId: customer.id,
        leadId,
        dealerCode: dealer.code,
        vin,
        modelCode: model.code,
        totalAmount: price,
        createdAt: new Date(purchasedAt.getTime() - rnd.int(1, 10) * DAY),
        deliveredAt: purchasedAt,
      });
      bundle.surveyResponses.push({
        id: rnd.uuid(),
        customerId: customer.id,
        dealerCode: dealer.code,
        modelCode: model.code,
        region: city.region,
        kind: 'NPS',
        touchpoint: 'DELIVERY',
        score: rnd.chance(0.6) ? rnd.int(9, 10) : rnd.chance(0.5) ? rnd.int(7, 8) : rnd.int(0, 6),
        respondedAt: new Date(purchasedAt.getTime() + rnd.int(1, 7) * DAY),
      });
      // About 5 repair orders per vehicle over its life, at most one per 90 days.
      const visits = Math.min(Math.floor(ageDays / 90), rnd.int(2, 6));
      for (let r = 0; r < visits; r += 1) {
        const openedAt = new Date(purchasedAt.getTime() + (r + 1) * rnd.int(80, 100) * DAY);
        if (openedAt > options.now) break;
        const open = openedAt.getTime() > options.now.getTime() - 3 * DAY;
        bundle.repairOrders.push({
          id: rnd.uuid(),
          externalId: `RO-${dealer.code}-${i}-${v}-${r}`,
          vin,
          customerId: customer.id,
          dealerCode: dealer.code,
          status: open ? 'IN_REPAIR' : 'DELIVERED',
          openedAt,
          closedAt: open ? null : new Date(openedAt.getTime() + rnd.int(2, 48) * 3_600_000),
          mileageKm: Math.round(((openedAt.getTime() - purchasedAt.getTime()) / DAY) * 40),
          lines: [
            {
              kind: 'LABOR',
              description: r === 0 ? 'First maintenance' : 'Periodic maintenance',
              quantity: 1,
              unitPrice: 180 + rnd.int(0, 200),
            },
            {
              kind: 'PART',
              description: 'Engine oil and filter',
              quantity: 1,
              unitPrice: 260 + rnd.int(0, 300),
            },
          ],
        });
      }
    }
    // Extra open leads: browsing in the app, a test drive of another model.
    const extraLeads = rnd.int(0, 3);
    for (let l = 0; l < extraLeads; l += 1) {
      const createdAtLead = rnd.dateBetween(createdAt, options.now);
      const status = rnd.pick(['ASSIGNED', 'CONTACTED', 'VISITED', 'TEST_DRIVEN', 'LOST'] as const);
      bundle.leads.push({
        id: rnd.uuid(),
        customerId: customer.id,
        dealerCode: dealer.code,
        consultantId: rnd.pick(team).id,
        modelCode: rnd.pick(models).code,
        source: rnd.pick(['WEBSITE', 'APP', 'MEDIA_PLATFORM', 'CAMPAIGN'] as const),
        status,
        grade: rnd.pick(['A', 'B', 'C'] as const),
        city: city.city,
        createdAt: createdAtLead,
        assignedAt: new Date(createdAtLead.getTime() + rnd.int(5, 55) * 1000),
        firstContactAt:
          status === 'ASSIGNED' ? null : new Date(createdAtLead.getTime() + rnd.int(60, 3600) * 1000),
      });
    }
    if (rnd.chance(0.1)) {
      bundle.complaints.push({
        id: rnd.uuid(),
        customerId: customer.id,
        dealerCode: dealer.code,
        severity: rnd.pick(['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const),
        status: rnd.pick(['OPEN', 'ACKNOWLEDGED', 'RESOLVED'] as const),
        description: rnd.pick([
          'Waited too long for a repair',
          'Infotainment freezes',
          'Quoted price differed from invoice',
          'Rude service advisor',
        ]),
        openedAt: rnd.dateBetween(createdAt, options.now),
      });
    }
    yield bundle;
  }
}
