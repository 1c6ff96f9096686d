import type { Customer360 } from './customer360.ts';

// Business dates read in China time, like every period in this project.
const dateFormat = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

const day = (iso: string | null | undefined) => (iso ? dateFormat.format(new Date(iso)) : '-');
const money = (m: { amount: string; currency: string }) => `${m.currency} ${m.amount}`;
const count = (total: number, shown: number) => (total > shown ? `${total}, latest ${shown}` : `${total}`);
const dealer = (d: { code: string; name: string }) => `${d.code} ${d.name}`;

function section(title: string, lines: string[]): string {
  return [title, ...(lines.length ? lines : ['none']).map((l) => `  ${l}`)].join('\n');
}

function profile(c: Customer360): string {
  const rows: [string, string][] = [
    ['Phone', c.phone ?? '-'],
    ['City', c.city ?? '-'],
    [
      'Identities',
      c.identities
        .map((i) => `${i.kind} ${i.value} (${i.source}${i.verified ? ', verified' : ''})`)
        .join(' · '),
    ],
    ['Tags', c.tags.map((t) => `${t.label} (${t.kind})`).join(' · ')],
    [
      'Consents',
      c.consents
        .map((k) => `${k.purpose} ${k.granted ? 'granted' : 'refused'} ${day(k.updatedAt)}`)
        .join(' · '),
    ],
  ];
  return section(
    `${c.displayName} (customer ${c.id})`,
    rows.map(([k, v]) => `${k.padEnd(11)}${v || '-'}`),
  );
}

function vehicles(c: Customer360): string {
  const lines = c.vehicles.flatMap((v) => {
    const km = v.mileageKm === null ? 'mileage unknown' : `${v.mileageKm.toLocaleString('en-US')} km`;
    const h = v.serviceHistory;
    return [
      `${v.vin}  ${v.model.name} ${v.model.modelYear} · ${v.model.powertrain} · purchased ${day(v.purchasedAt)} · ${km}`,
      `  Service history (${count(h.totalCount, h.nodes.length)})`,
      ...h.nodes.map(
        (r) =>
          `    ${day(r.openedAt)} → ${day(r.closedAt)}  ${r.status.padEnd(13)} ${money(r.totalAmount).padStart(14)}  ${dealer(r.dealer)}`,
      ),
    ];
  });
  return section(`Vehicles (${c.vehicles.length})`, lines);
}

export function formatCustomer360(c: Customer360): string {
  const { leads, orders, complaints, surveyResponses: surveys } = c;
  return [
    profile(c),
    vehicles(c),
    section(
      `Leads (${count(leads.totalCount, leads.nodes.length)})`,
      leads.nodes.map((l) => {
        const who = l.assignedConsultant
          ? ` → ${l.assignedConsultant.name}, ${dealer(l.assignedConsultant.dealer)}`
          : ' → unassigned';
        return `${day(l.createdAt)}  ${l.status.padEnd(11)} ${l.source.padEnd(15)} ${l.interestedModel?.name ?? '-'}${who}`;
      }),
    ),
    section(
      `Orders (${count(orders.totalCount, orders.nodes.length)})`,
      orders.nodes.map(
        (o) =>
          `${o.status.padEnd(12)} ${money(o.totalAmount).padStart(14)}  vehicle ${o.vehicle?.vin ?? '-'}`,
      ),
    ),
    section(
      `Complaints (${count(complaints.totalCount, complaints.nodes.length)})`,
      complaints.nodes.map((k) => `${day(k.openedAt)}  ${k.severity.padEnd(8)} ${k.status}`),
    ),
    section(
      `Surveys (${count(surveys.totalCount, surveys.nodes.length)})`,
      surveys.nodes.map((s) => `${day(s.respondedAt)}  ${s.kind} ${s.score}  ${s.touchpoint}`),
    ),
  ].join('\n\n');
}
