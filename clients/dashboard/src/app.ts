import { AssignmentsView, showConnection } from './assignments.ts';
import { byId } from './dom.ts';
import { startLeadFeed } from './leadFeed.ts';
import { fetchDealerNps, renderNpsChart } from './nps.ts';

const npsRefreshMs = 30_000;

const params = new URLSearchParams(location.search);
const token = params.get('token') ?? '';
const dealerCode = params.get('dealer') ?? undefined;
const graphqlUrl = `${location.origin}/graphql`;
const wsUrl = graphqlUrl.replace(/^http/, 'ws');

async function refreshNps(): Promise<void> {
  try {
    renderNpsChart(await fetchDealerNps(graphqlUrl, token), dealerCode);
  } catch (error) {
    byId('nps-updated').textContent = `NPS unavailable: ${error instanceof Error ? error.message : error}`;
  }
}

if (!token) {
  // No token in the URL: ask for one and reload with it, so the page stays bookmarkable.
  byId('login').hidden = false;
  byId('main').hidden = true;
} else {
  byId('scope').textContent = dealerCode ? `dealer ${dealerCode}` : 'all dealers (HQ)';
  const view = new AssignmentsView();
  const feed = startLeadFeed({
    url: wsUrl,
    token,
    dealerCode,
    onEvent: (event) => view.add(event),
    onState: showConnection,
  });
  void refreshNps();
  setInterval(refreshNps, npsRefreshMs);
  // For the console and end-to-end tests: where the stream would resume from.
  Object.assign(window, { __dashboard: { lastCursor: () => feed.lastCursor } });
}
