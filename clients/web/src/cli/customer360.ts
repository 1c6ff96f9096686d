import { parseArgs } from 'node:util';
import { createClient } from '../client.ts';
import { connectionFlags, resolveConnection, runCli, UsageError } from '../cliSupport.ts';
import { customer360Summary } from '../customer360.ts';
import { loadClientEnv } from '../env.ts';

const usage =
  'usage: npm run customer360 -- <customer id | mobile number | VIN> [--token <jwt>] [--url <gateway>]';

/** `npm run customer360 -- <id|phone|vin>`: the 360 summary of one customer. */
runCli('customer360', async () => {
  const { values, positionals } = parseArgs({ options: connectionFlags, allowPositionals: true });
  if (positionals.length !== 1) throw new UsageError(usage);
  const client = createClient(resolveConnection(values, loadClientEnv()));
  console.log(await customer360Summary(client, positionals[0]!));
  return 0;
});
