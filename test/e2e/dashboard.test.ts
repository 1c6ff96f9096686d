import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import type { Socket } from 'node:net';
import path from 'node:path';
import { schema as customerSchema } from '@cx/customer';
import { buildDashboard } from '@cx/dashboard/build';
import { inArray } from 'drizzle-orm';
import { type Browser, chromium, type Page } from 'playwright-core';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AssignedLead } from '../../bench/src/leadInputs.ts';
import { repoRoot } from '../../scripts/lib/composition.ts';
import { eventually } from '../helpers/eventually.ts';
import { LeadFactory, modelNames } from '../helpers/leadStream.ts';
import { startTestStack, type TestStack } from '../helpers/testStack.ts';
import { testToken } from '../helpers/tokens.ts';

const chromiumPath = '/usr/bin/chromium';
const screenshotPath = path.join(repoRoot, 'test-artifacts', 'dashboard.png');

interface Row {
  cursor: string;
  leadId: string;
  createdAt: string;
  assignedAt: string;
  cells: string[];
}

let stack: TestStack;
let leads: LeadFactory;
let browser: Browser;
let page: Page;
/** While set, the gateway drops every new WebSocket handshake: the network is "down" for the page. */
let refuseUpgrades = false;
const upgradedSockets = new Set<Socket>();

async function rows(): Promise<Row[]> {
  return page.locator('[data-testid="assignment-row"]').evaluateAll((trs) =>
    trs.map((tr) => ({
      cursor: tr.getAttribute('data-cursor') ?? '',
      leadId: tr.getAttribute('data-lead-id') ?? '',
      createdAt: tr.getAttribute('data-created-at') ?? '',
      assignedAt: tr.getAttribute('data-assigned-at') ?? '',
      cells: [...tr.querySelectorAll('td')].map((td) => td.textContent ?? ''),
    })),
  );
}

async function rowsUntil(count: number, timeoutMs = 15_000): Promise<Row[]> {
  return eventually(async () => {
    const shown = await rows();
    if (shown.length < count) throw new Error(`${shown.length} of ${count} rows`);
    return shown;
  }, timeoutMs);
}

async function connectionState(): Promise<string | null> {
  return page.getByTestId('connection-status').getAttribute('data-state');
}

/** Newest on top, each cursor once, cursors in stream order. */
function expectStreamOrder(shown: Row[]): void {
  const cursors = shown.map((r) => r.cursor);
  expect(new Set(cursors).size).toBe(cursors.length);
  const ascending = [...cursors].reverse().map(Number);
  for (let i = 1; i < ascending.length; i += 1) expect(ascending[i]).toBe(ascending[i - 1]! + 1);
}

describe.skipIf(!existsSync(chromiumPath))('live lead dashboard in headless Chromium', () => {
  beforeAll(async () => {
    await buildDashboard();
    stack = await startTestStack('dashboard', { customers: 40 });
    leads = new LeadFactory(stack);
    stack.gateway.server.prependListener('upgrade', (_req, socket: Socket) => {
      if (refuseUpgrades) return void socket.destroy();
      upgradedSockets.add(socket);
      socket.once('close', () => upgradedSockets.delete(socket));
    });
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = await browser.newPage({ viewport: { width: 1200, height: 1400 } });
    const token = await testToken({ role: 'hq_admin' });
    await page.goto(`http://127.0.0.1:${stack.gateway.port}/dashboard/?token=${encodeURIComponent(token)}`);
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('serves the built page at /dashboard without auth, and nothing else', async () => {
    const base = `http://127.0.0.1:${stack.gateway.port}`;
    const redirect = await request(`${base}/dashboard?dealer=X`);
    await redirect.body.dump();
    expect(redirect.statusCode).toBe(308);
    expect(redirect.headers.location).toBe('/dashboard/?dealer=X');
    const script = await request(`${base}/dashboard/app.js`);
    expect(script.statusCode).toBe(200);
    expect(script.headers['content-type']).toMatch(/^text\/javascript/);
    expect(await script.body.text()).toContain('DashboardLeadAssigned');
    for (const [method, target, status] of [
      ['POST', '/dashboard/', 405],
      ['GET', '/dashboard/%2e%2e/%2e%2e/package.json', 404],
      ['GET', '/dashboard/missing.js', 404],
    ] as const) {
      const res = await request(`${base}${target}`, { method });
      await res.body.dump();
      expect(res.statusCode, `${method} ${target}`).toBe(status);
    }
  });

  it('shows live lead assignments as they happen, newest on top, with speed-to-lead', async () => {
    await eventually(async () => expect(await connectionState()).toBe('connected'));
    // The page subscribes live-only: keep creating until the first lead shows, then the rest are live.
    const created: AssignedLead[] = [];
    await eventually(async () => {
      created.push(...(await leads.create(1)));
      await rowsUntil(1, 1_000);
    }, 20_000);
    // Events are delivered in commit order, so once one row shows, the newest lead created will show too.
    const lastCreated = created.at(-1)!;
    const baseline = await eventually(async () => {
      const shown = await rows();
      expect(shown[0]?.leadId).toBe(lastCreated.id);
      return shown;
    });
    expect(baseline.every((r) => created.some((l) => l.id === r.leadId))).toBe(true);
    const live = await leads.create(3);
    const shown = await rowsUntil(baseline.length + 3);

    expect(shown.map((r) => r.leadId)).toEqual(
      [...live]
        .reverse()
        .map((l) => l.id)
        .concat(baseline.map((r) => r.leadId)),
    );
    expectStreamOrder(shown);

    const all = [...created, ...live];
    const names = await modelNames(stack);
    const customers = await stack.dbs.customer
      .select({ id: customerSchema.customers.id, displayName: customerSchema.customers.displayName })
      .from(customerSchema.customers)
      .where(
        inArray(
          customerSchema.customers.id,
          all.map((l) => l.customerId),
        ),
      );
    const displayName = new Map(customers.map((c) => [c.id, c.displayName]));
    for (const row of shown) {
      const lead = all.find((l) => l.id === row.leadId)!;
      const [, source, model, customer, consultant, dealer, reason] = row.cells;
      expect(source).toBe('APP');
      expect(model).toBe(names.get(lead.modelCode));
      expect(customer).toBe(displayName.get(lead.customerId));
      expect(consultant).not.toBe('');
      expect(dealer).not.toBe('');
      expect(reason).toMatch(/^[A-Z_]+\/[A-Z_]+$/);
    }

    // The figure is the median over exactly the events shown.
    const seconds = shown
      .map((r) => (Date.parse(r.assignedAt) - Date.parse(r.createdAt)) / 1000)
      .sort((a, b) => a - b);
    const mid = Math.floor(seconds.length / 2);
    const median = seconds.length % 2 ? seconds[mid]! : (seconds[mid - 1]! + seconds[mid]!) / 2;
    const speed = page.getByTestId('speed-to-lead');
    expect(await speed.getAttribute('data-count')).toBe(String(shown.length));
    expect(Number(await speed.getAttribute('data-median-seconds'))).toBeCloseTo(median, 6);
    expect(await speed.textContent()).toContain(`median over ${shown.length} leads`);
  });

  it('resumes after the socket is cut, showing the missed events once each, in order', async () => {
    const before = await rows();
    expect(before.length).toBeGreaterThan(0);
    expect(upgradedSockets.size).toBeGreaterThan(0);

    // Cut every open WebSocket server side and keep refusing new ones while leads keep coming.
    refuseUpgrades = true;
    for (const socket of upgradedSockets) socket.destroy();
    await eventually(async () => expect(await connectionState()).toBe('reconnecting'));
    const missed = await leads.create(3);
    await new Promise((r) => setTimeout(r, 500));
    expect(await rows()).toHaveLength(before.length);
    expect(await connectionState()).toBe('reconnecting');

    refuseUpgrades = false;
    await eventually(async () => expect(await connectionState()).toBe('connected'), 15_000);
    const resumed = await rowsUntil(before.length + 3);
    expect(resumed.slice(0, 3).map((r) => r.leadId)).toEqual([...missed].reverse().map((l) => l.id));
    expect(resumed.slice(3)).toEqual(before);

    const [after] = await leads.create(1);
    const shown = await rowsUntil(before.length + 4);
    // Time for a duplicate (catch-up overlapping the live feed) to show up, if there were one.
    await new Promise((r) => setTimeout(r, 300));
    expect(await rows()).toHaveLength(shown.length);
    expect(shown[0]!.leadId).toBe(after!.id);
    expectStreamOrder(shown);
    expect(
      await page.evaluate(() =>
        (window as unknown as { __dashboard: { lastCursor(): string } }).__dashboard.lastCursor(),
      ),
    ).toBe(shown[0]!.cursor);
  });

  it('charts NPS by dealer from the dealers query', async () => {
    const { data } = await stack.graphql<{
      dealers: { code: string; nps: { score: number | null; responses: number } }[];
    }>('{ dealers { code nps { score responses } } }');
    const dealers = data!.dealers;
    expect(dealers.length).toBeGreaterThan(0);
    const bars = page.getByTestId('nps-bar');
    await eventually(async () => expect(await bars.count()).toBe(dealers.length));
    const drawn = await bars.evaluateAll((nodes) =>
      nodes.map((n) => ({
        dealer: n.getAttribute('data-dealer'),
        score: n.getAttribute('data-score'),
        width: n.getBoundingClientRect().width,
      })),
    );
    for (const dealer of dealers) {
      const bar = drawn.find((d) => d.dealer === dealer.code);
      expect(bar, dealer.code).toBeDefined();
      expect(bar!.score).toBe(dealer.nps.score === null ? '' : String(dealer.nps.score));
      if (dealer.nps.score) expect(bar!.width).toBeGreaterThan(0);
    }
    // Scored dealers are drawn best first.
    const scores = drawn.filter((d) => d.score !== '').map((d) => Number(d.score));
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(dealers.some((d) => d.nps.responses > 0)).toBe(true);

    await mkdir(path.dirname(screenshotPath), { recursive: true });
    await page.screenshot({ path: screenshotPath, fullPage: true });
    expect(existsSync(screenshotPath)).toBe(true);
  });
});
