import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '../http.ts';
import type { Metrics } from './metrics.ts';

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * GET /metrics in the Prometheus text format. Open like /healthz unless a token is configured
 * (METRICS_TOKEN), then `Authorization: Bearer <token>` is required. Subgraph ports should not be
 * reachable from outside in production anyway (README: Running in production).
 */
export async function serveMetrics(
  req: IncomingMessage,
  res: ServerResponse,
  metrics: Metrics,
  token: string | undefined,
): Promise<void> {
  if (token) {
    const given = req.headers.authorization?.replace(/^Bearer\s+/i, '') ?? '';
    // Digests have equal length, so the comparison is constant-time whatever was sent.
    if (!timingSafeEqual(digest(given), digest(token))) {
      return sendJson(
        res,
        401,
        { error: 'metrics: bearer token required' },
        { 'www-authenticate': 'Bearer' },
      );
    }
  }
  const { contentType, body } = await metrics.render();
  res.writeHead(200, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
