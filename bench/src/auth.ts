import { mintDevToken } from '@cx/gateway/auth';
import { loadEnv } from '@cx/platform/env';

let cached: Promise<Record<string, string>> | undefined;

/**
 * The one place every bench HTTP client gets its headers: an hq_admin bearer token signed with
 * the configured dev JWT settings, minted once (12 h lifetime outlasts any run).
 */
export function benchAuthHeaders(): Promise<Record<string, string>> {
  cached ??= (async () => {
    const env = loadEnv();
    const token = await mintDevToken(
      { role: 'hq_admin', sub: 'bench' },
      { secret: env.JWT_SECRET, issuer: env.JWT_ISSUER, audience: env.JWT_AUDIENCE },
    );
    return { authorization: `Bearer ${token}` };
  })();
  return cached;
}
