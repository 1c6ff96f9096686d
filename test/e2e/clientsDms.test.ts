import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, request as httpRequest, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type PushReport, pushExports } from '@cx/dms';
import { createClient, type RetryEvent } from '@cx/web';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../scripts/lib/composition.ts';
import { startTestStack, type TestStack } from '../helpers/testStack.ts';
import { testToken } from '../helpers/tokens.ts';

const samples = path.join(repoRoot, 'clients', 'dms', 'samples');
const files = {
  customers: path.join(samples, 'customers.csv'),
  vehicles: path.join(samples, 'vehicles.csv'),
  repairOrders: path.join(samples, 'repair-orders.json'),
};

interface Expected {
  entity: string;
  row: number;
  field: string;
  code: string;
}

/**
 * The bad rows, read from the samples' own markers (the `note` column, `_note` in JSON:
 * "BAD <field> <CODE>") with a parser of this test's own, not the kit's.
 */
function expectedRejections(): Expected[] {
  const marks = (entity: string, row: number, note: string | undefined): Expected[] =>
    (note ?? '')
      .split(';')
      .map((m) => /^\s*BAD (\S+) ([A-Z_]+)/.exec(m))
      .flatMap((m) => (m ? [{ entity, row, field: m[1]!, code: m[2]! }] : []));
  const fromCsv = (entity: string, file: string) =>
    csvCells(file).flatMap((cells, i) => marks(entity, i + 1, cells.note));
  const ros = JSON.parse(readFileSync(files.repairOrders, 'utf8')) as { _note?: string }[];
  return [
    ...fromCsv('customers', files.customers),
    ...fromCsv('vehicles', files.vehicles),
    ...ros.flatMap((r, i) => marks('repairOrders', i + 1, r._note)),
  ];
}

/** The sample CSVs hold no quoted commas, so a plain split reads them independently of the kit. */
function csvCells(file: string): Record<string, string | undefined>[] {
  const [header, ...lines] = readFileSync(file, 'utf8')
    .replace(/^\uFEFF/, '')
    .trim()
    .split(/\r?\n/);
  const names = header!.split(',');
  return lines.map((line) => {
    const cells = line.split(',');
    return Object.fromEntries(names.map((n, i) => [n, cells[i]]));
  });
}

const key = (e: Expected) => `${e.entity}#${e.row} ${e.field} ${e.code}`;
const keysOf = (report: PushReport) => report.rejected.map(key).sort();

function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}

/** Rows in every table of the three schemas ingest writes to. */
async function tableCounts(stack: TestStack): Promise<Record<string, number>> {
  const db = stack.dbs.customer;
  const tables = rowsOf<{ schema: string; name: string }>(
    await db.execute(sql`select table_schema as schema, table_name as name from information_schema.tables
      where table_schema in ('customer', 'vehicle', 'service') and table_type = 'BASE TABLE'
      order by 1, 2`),
  );
  const counts: Record<string, number> = {};
  for (const t of tables) {
    const [row] = rowsOf<{ n: number | string }>(
      await db.execute(sql.raw(`select count(*) as n from "${t.schema}"."${t.name}"`)),
    );
    counts[`${t.schema}.${t.name}`] = Number(row!.n);
  }
  return counts;
}

/** Waits until asynchronous consumers of the previous run's events are done writing. */
async function settledCounts(stack: TestStack): Promise<Record<string, number>> {
  let previous = await tableCounts(stack);
  for (let i = 0; i < 20; i += 1) {
    await new Promise((r) => setTimeout(r, 250));
    const next = await tableCounts(stack);
    if (JSON.stringify(next) === JSON.stringify(previous)) return next;
    previous = next;
  }
  return previous;
}

function runCli(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(repoRoot, 'clients/dms/src/cli.ts'), ...args],
      {
        cwd: repoRoot,
        env: { ...process.env, ...env },
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

type Failure = (res: ServerResponse) => void;

/**
 * A loopback proxy in front of the gateway. `intercept` sees each request (its number from 0 and
 * its body) and returns a failure to answer with instead of forwarding, or nothing.
 */
async function proxy(target: string, intercept: (n: number, body: Buffer) => Failure | undefined) {
  const upstream = new URL(target);
  const seen = { failed: 0, forwarded: 0 };
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const fail = intercept(seen.failed + seen.forwarded, body);
    if (fail) {
      seen.failed += 1;
      fail(res);
      return;
    }
    seen.forwarded += 1;
    const { hostname: host, port, pathname: path } = upstream;
    const forward = httpRequest({ host, port, path, method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    forward.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  return { url, seen, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** Fails the first requests in order, then forwards everything. */
const flakyProxy = (target: string, failures: Failure[]) => proxy(target, (n) => failures[n]);

describe('the DMS integration kit against the supergraph', () => {
  let stack: TestStack;
  let token: string;
  const expected = expectedRejections();

  beforeAll(async () => {
    // A few seeded customers bring the model catalog and the dealers the samples refer to.
    stack = await startTestStack('clients_dms', { customers: 3 });
    token = await testToken({ role: 'dms_integration', dealer: 'BJ001' });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('the samples mark every kind of bad row the guide promises', () => {
    const codes = new Set(expected.map((e) => e.code));
    for (const code of [
      'PHONE_PREFIX',
      'NATIONAL_ID_CHECKSUM',
      'EMAIL_FORMAT',
      'VIN_CHECK_DIGIT',
      'UNKNOWN_MODEL',
      'MILEAGE_OUT_OF_RANGE',
      'MONEY_INVALID',
      'DUPLICATE_IN_FILE',
    ])
      expect(codes).toContain(code);
  });

  it('the CLI pushes the samples in batches and reports exactly the bad rows', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dms-'));
    const reportPath = path.join(dir, 'report.json');
    const before = await settledCounts(stack);
    const run = await runCli(
      [
        '--customers',
        files.customers,
        '--vehicles',
        files.vehicles,
        '--repair-orders',
        files.repairOrders,
        '--report',
        reportPath,
        '--batch-size',
        '7',
      ],
      { CX_TOKEN: token, CX_GATEWAY_URL: stack.gateway.url },
    );
    expect(run.stderr).toBe('');
    // 3: the run completed and some rows were rejected.
    expect(run.code).toBe(3);
    expect(run.stdout).toMatch(/customers: batch 1\/\d+ \(rows 1-/);
    expect(run.stdout).toMatch(/repairOrders: done: \d+ accepted/);

    const report = JSON.parse(readFileSync(reportPath, 'utf8')) as PushReport;
    expect(report.aborted).toBeUndefined();
    expect(keysOf(report)).toEqual(expected.map(key).sort());
    for (const r of report.rejected) {
      expect(r.message).toContain(`${r.field}: `);
      expect(r.externalId ?? r.vin).toBeTruthy();
      if (r.file.endsWith('.csv')) expect(r.line).toBe(r.row + 1);
    }
    const customerRows = csvCells(files.customers).length;
    const bad = (entity: string) =>
      new Set(expected.filter((e) => e.entity === entity).map((e) => e.row)).size;
    expect(report.entities.customers).toMatchObject({ rows: customerRows, rejected: bad('customers') });
    expect(report.entities.customers!.accepted).toBe(customerRows - bad('customers'));
    expect(report.entities.customers!.batches).toBeGreaterThan(1);
    expect(run.stdout.match(/^customers: batch /gm)).toHaveLength(report.entities.customers!.batches);
    for (const entity of ['vehicles', 'repairOrders'] as const) {
      const s = report.entities[entity]!;
      expect(s.accepted + s.rejected).toBe(s.rows);
      expect(s.rejected).toBe(bad(entity));
    }

    // What was accepted is in the database: one vehicle row per good VIN, owned as the file says.
    const after = await settledCounts(stack);
    expect(after['vehicle.vehicles']! - before['vehicle.vehicles']!).toBe(report.entities.vehicles!.accepted);
    expect(after['service.repair_orders']! - before['service.repair_orders']!).toBe(
      report.entities.repairOrders!.accepted,
    );
    const owners = csvCells(files.vehicles);
    const names = new Map(
      csvCells(files.customers)
        .filter((c) => !c.note?.startsWith('BAD'))
        .map((c) => [c.external_id!, c.name!]),
    );
    const good = owners.filter((v) => !v.note?.startsWith('BAD'));
    const res = await stack.graphql<Record<string, { vin: string; currentOwner: { displayName: string } }>>(
      `{ ${good.map((v, i) => `v${i}: vehicle(vin: "${v.vin}") { vin currentOwner { displayName } }`).join(' ')} }`,
    );
    expect(res.errors).toBeUndefined();
    good.forEach((v, i) => {
      expect(res.data![`v${i}`]!.vin).toBe(v.vin!.toUpperCase());
      expect(res.data![`v${i}`]!.currentOwner.displayName).toBe(names.get(v.owner_external_id!));
    });
  });

  it('a second run of the same files changes nothing', async () => {
    const before = await settledCounts(stack);
    const client = createClient({ url: stack.gateway.url, token });
    const report = await pushExports({ client, gateway: stack.gateway.url, files, batchSize: 500 });
    const after = await settledCounts(stack);
    expect(after).toEqual(before);
    expect(keysOf(report)).toEqual(expected.map(key).sort());
    for (const entity of ['customers', 'vehicles', 'repairOrders'] as const) {
      const s = report.entities[entity]!;
      expect(s.accepted).toBeGreaterThan(0);
      expect(s.outcomes).toEqual({ UNCHANGED: s.accepted });
    }
  });

  it('retries network errors, 429 with Retry-After and 502/503/504 through a flaky proxy', async () => {
    const proxy = await flakyProxy(stack.gateway.url, [
      (res) => res.socket?.destroy(),
      (res) => res.writeHead(429, { 'retry-after': '1' }).end('slow down'),
      (res) => res.writeHead(503).end('unavailable'),
      (res) => res.writeHead(502).end('bad gateway'),
      (res) => res.writeHead(504).end('timeout'),
    ]);
    try {
      const retries: RetryEvent[] = [];
      const client = createClient({
        url: proxy.url,
        token,
        retry: { retries: 6, baseDelayMs: 10, maxDelayMs: 100 },
        onRetry: (e) => retries.push(e),
      });
      const report = await pushExports({ client, gateway: proxy.url, files, batchSize: 1000 });
      expect(report.aborted).toBeUndefined();
      expect(proxy.seen).toEqual({ failed: 5, forwarded: 3 });
      expect(retries.map((r) => r.reason)).toEqual([
        expect.stringMatching(/^network error/),
        'HTTP 429',
        'HTTP 503',
        'HTTP 502',
        'HTTP 504',
      ]);
      // Retry-After is a floor under the backoff; the backoff itself grows and stays under its cap.
      expect(retries[1]!.delayMs).toBeGreaterThanOrEqual(1000);
      for (const r of retries.filter((_, i) => i !== 1)) expect(r.delayMs).toBeLessThanOrEqual(100);
      expect(keysOf(report)).toEqual(expected.map(key).sort());
      expect(report.entities.customers!.outcomes).toEqual({ UNCHANGED: report.entities.customers!.accepted });
    } finally {
      await proxy.close();
    }
  });

  it('halves a batch the gateway refuses as too large, keeping every row where it belongs', async () => {
    const limit = 4000;
    const tooLarge: Failure = (res) =>
      res.writeHead(413, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          errors: [{ message: 'body too large', extensions: { code: 'PAYLOAD_TOO_LARGE' } }],
        }),
      );
    const small = await proxy(stack.gateway.url, (_, body) => (body.length > limit ? tooLarge : undefined));
    try {
      const client = createClient({ url: small.url, token });
      const report = await pushExports({ client, gateway: small.url, files, batchSize: 1000 });
      expect(report.aborted).toBeUndefined();
      expect(small.seen.failed).toBeGreaterThan(0);
      expect(keysOf(report)).toEqual(expected.map(key).sort());
      for (const entity of ['customers', 'vehicles', 'repairOrders'] as const)
        expect(report.entities[entity]!.outcomes).toEqual({ UNCHANGED: report.entities[entity]!.accepted });
    } finally {
      await small.close();
    }
  });

  it('stops with a report when failures outlast the retries', async () => {
    const proxy = await flakyProxy(
      stack.gateway.url,
      Array<Failure>(10).fill((res) => res.writeHead(503).end()),
    );
    try {
      const client = createClient({
        url: proxy.url,
        token,
        retry: { retries: 2, baseDelayMs: 5, maxDelayMs: 20 },
      });
      const report = await pushExports({ client, gateway: proxy.url, files, batchSize: 500 });
      expect(report.aborted).toBe('HTTP 503');
      expect(proxy.seen.failed).toBe(3);
      expect(report.entities.vehicles).toBeUndefined();
    } finally {
      await proxy.close();
    }
  });
});
