import { parseArgs } from 'node:util';
import { connectionFlags, createClient, resolveConnection, runCli, UsageError } from '@cx/web';
import { loadDmsEnv } from './env.ts';
import { MAX_BATCH_SIZE, pushExports } from './push.ts';
import { writeReport } from './report.ts';

const usage = `usage: npm run dms:push -- [--customers FILE] [--vehicles FILE] [--repair-orders FILE]
    [--report FILE] [--batch-size N] [--dealer CODE] [--retries N] [--retry-base-ms MS]
    [--retry-max-ms MS] [--timeout-ms MS] [--token JWT] [--url GATEWAY]
FILEs are .csv or .json exports (see clients/dms/GUIDE.md).
Exit codes: 0 all rows applied, 3 some rows rejected (see the report), 1 run aborted, 2 usage.`;

function intFlag(
  name: string,
  value: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new UsageError(`--${name}: must be a whole number from ${min} to ${max}, got '${value}'`);
  return n;
}

runCli('dms:push', async () => {
  const { values } = parseArgs({
    options: {
      ...connectionFlags,
      customers: { type: 'string' },
      vehicles: { type: 'string' },
      'repair-orders': { type: 'string' },
      report: { type: 'string', default: 'dms-report.json' },
      'batch-size': { type: 'string' },
      dealer: { type: 'string' },
      retries: { type: 'string' },
      'retry-base-ms': { type: 'string' },
      'retry-max-ms': { type: 'string' },
      'timeout-ms': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const files = {
    customers: values.customers,
    vehicles: values.vehicles,
    repairOrders: values['repair-orders'],
  };
  if (!files.customers && !files.vehicles && !files.repairOrders)
    throw new UsageError(`nothing to push: name at least one file\n${usage}`);
  const env = loadDmsEnv();
  const connection = resolveConnection(values, env);
  const retry = {
    retries: intFlag('retries', values.retries, 5, 0, 20),
    baseDelayMs: intFlag('retry-base-ms', values['retry-base-ms'], 500, 1, 60_000),
    maxDelayMs: intFlag('retry-max-ms', values['retry-max-ms'], 30_000, 1, 600_000),
  };
  const client = createClient({
    ...connection,
    retry,
    timeoutMs: intFlag('timeout-ms', values['timeout-ms'], 120_000, 1000, 3_600_000),
    onRetry: (e) => console.log(`  retry ${e.retry}/${e.retries} in ${e.delayMs} ms after ${e.reason}`),
  });
  const report = await pushExports({
    client,
    gateway: connection.url,
    files,
    batchSize: intFlag('batch-size', values['batch-size'], env.CX_DMS_BATCH_SIZE, 1, MAX_BATCH_SIZE),
    context: { defaultDealer: values.dealer ?? env.CX_DMS_DEALER },
    onProgress: (line) => console.log(line),
  });
  await writeReport(values.report, report);
  const rows = new Set(report.rejected.map((r) => `${r.entity}:${r.row}`)).size;
  console.log(`report: ${values.report} (${rows} rejected row(s))`);
  return report.aborted ? 1 : rows > 0 ? 3 : 0;
});
