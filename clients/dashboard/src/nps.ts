import { byId, el } from './dom.ts';
import type { DealerNps } from './types.ts';

const npsQuery = 'query DashboardDealerNps { dealers { code name nps { score responses lowConfidence } } }';

/** NPS by dealer over GraphQL-over-HTTP with the same bearer token as the stream. */
export async function fetchDealerNps(graphqlUrl: string, token: string): Promise<DealerNps[]> {
  const res = await fetch(graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: npsQuery }),
  });
  const body = (await res.json()) as { data?: { dealers: DealerNps[] }; errors?: { message: string }[] };
  if (!body.data) throw new Error(body.errors?.map((e) => e.message).join('; ') ?? `HTTP ${res.status}`);
  return body.data.dealers;
}

/**
 * One horizontal bar per dealer on a -100..100 axis centred at zero, best first; dealers without
 * responses get an empty track, low-confidence scores (few responses) are drawn faded.
 */
export function renderNpsChart(dealers: DealerNps[], highlight?: string): void {
  const sorted = [...dealers].sort((a, b) => (b.nps.score ?? -1000) - (a.nps.score ?? -1000));
  const chart = byId('nps-chart');
  chart.replaceChildren(
    ...sorted.map((d) => {
      const score = d.nps.score;
      const bar = el('div', {
        class: `bar ${score !== null && score < 0 ? 'negative' : 'positive'}${d.nps.lowConfidence ? ' low' : ''}`,
        'data-testid': 'nps-bar',
        'data-dealer': d.code,
        'data-score': score === null ? '' : String(score),
      });
      const half = Math.min(Math.abs(score ?? 0), 100) / 2;
      bar.style.width = `${half}%`;
      bar.style.left = score !== null && score < 0 ? `${50 - half}%` : '50%';
      const label = score === null ? 'no responses' : `${score.toFixed(1)} (${d.nps.responses})`;
      return el(
        'div',
        {
          class: `nps-row${d.code === highlight ? ' selected' : ''}`,
          title: `${d.code}: ${d.nps.responses} responses`,
        },
        el('span', { class: 'dealer' }, d.name),
        el('span', { class: 'track' }, bar),
        el('span', { class: 'score' }, label + (d.nps.lowConfidence ? ' *' : '')),
      );
    }),
  );
  byId('nps-updated').textContent = `updated ${new Date().toLocaleTimeString()}`;
}
