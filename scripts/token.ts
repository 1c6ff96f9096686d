import { parseArgs } from 'node:util';
import { mintDevToken } from '@cx/gateway/auth';
import { type Role, roles } from '@cx/platform/auth';
import { loadEnv } from '@cx/platform/env';

/** `npm run token -- --role dealer_manager --dealer BJ001 [--consultant <id>] [--scope pii:read] [--ttl 3600]` */
const env = loadEnv();
const { values } = parseArgs({
  options: {
    role: { type: 'string', default: 'hq_admin' },
    dealer: { type: 'string' },
    consultant: { type: 'string' },
    scope: { type: 'string' },
    sub: { type: 'string' },
    ttl: { type: 'string', default: '43200' },
  },
});
if (!roles.includes(values.role as Role)) {
  console.error(`--role: must be one of ${roles.join(', ')}`);
  process.exit(2);
}
const token = await mintDevToken(
  {
    role: values.role as Role,
    dealer: values.dealer,
    consultant: values.consultant,
    scope: values.scope,
    sub: values.sub,
    ttl: Number(values.ttl),
  },
  { secret: env.JWT_SECRET, issuer: env.JWT_ISSUER, audience: env.JWT_AUDIENCE },
);
console.log(token);
