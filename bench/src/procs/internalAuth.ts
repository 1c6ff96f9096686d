import { signInternalAuth, type Viewer } from '@cx/platform/auth';

const benchViewer: Viewer = { sub: 'bench', role: 'hq_admin', scopes: ['pii:read'] };
let cached: { header: string; until: number } | undefined;

/**
 * The signed internal header the baseline gateways forward, so every gateway under test asks
 * the subgraphs for the same work (our gateway signs its own from the verified token). Re-signed
 * every 30 s, well inside its 60 s lifetime.
 */
export function baselineInternalAuth(secret: string, now = Date.now()): string {
  if (!cached || cached.until <= now) {
    cached = { header: signInternalAuth(benchViewer, secret, now), until: now + 30_000 };
  }
  return cached.header;
}
