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

/** A part owned by another subgraph is null while that subgraph is down: say so, show the rest. */
const unavailable = (title: string) => `${title}\n  unavailable right now`;

function connection<T>(
  title: string,
  list: { totalCount: number; nodes: T[] } | null,
  line: (node: T) => string,
): string {
  if (!list) return unavailable(title);
  return section(`${title} (${count(list.totalCount, list.nodes.length)})`, list.nodes.map(line));
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
  if (!c.vehicles) return unavailable('Vehicles');
  const lines = c.vehicles.flatMap((v) => {
    const km = v.mileageKm === null ? 'mileage unknown' : `${v.mileageKm.toLocaleString('en-US')} km`;
    const h = v.serviceHistory;
    return [
      `${v.vin}  ${v.model.name} ${v.model.modelYear} · ${v.model.powertrain} · purchased ${day(v.purchasedAt)} · ${km}`,
      h
        ? `  Service history (${count(h.totalCount, h.nodes.length)})`
        : '  Service history unavailable right now',
      ...(h?.nodes ?? []).map(
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
    connection('Leads', leads, (l) => {
      const who = l.assignedConsultant
        ? ` → ${l.assignedConsultant.name}, ${dealer(l.assignedConsultant.dealer)}`
        : ' → unassigned';
      return `${day(l.createdAt)}  ${l.status.padEnd(11)} ${l.source.padEnd(15)} ${l.interestedModel?.name ?? '-'}${who}`;
    }),
    connection(
      'Orders',
      orders,
      (o) => `${o.status.padEnd(12)} ${money(o.totalAmount).padStart(14)}  vehicle ${o.vehicle?.vin ?? '-'}`,
    ),
    connection('Complaints', complaints, (k) => `${day(k.openedAt)}  ${k.severity.padEnd(8)} ${k.status}`),
    connection('Surveys', surveys, (s) => `${day(s.respondedAt)}  ${s.kind} ${s.score}  ${s.touchpoint}`),
  ].join('\n\n');
}
