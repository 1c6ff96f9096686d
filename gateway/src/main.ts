import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { loadEnv, subgraphNames, subgraphUrlFor } from '@cx/platform/env';
import { createLogger } from '@cx/platform/logger';
import { exitOnTermination } from '@cx/platform/shutdown';
import { startTracing, tracingConfigFromEnv } from '@cx/platform/telemetry/tracing';
import { startGateway } from './gateway.ts';
import { createGatewaySecurity } from './security.ts';

// Subpath imports keep the database drivers in @cx/platform's index out of the gateway process.
const env = loadEnv();
const logger = createLogger('gateway', env.LOG_LEVEL);
const tracing = startTracing(tracingConfigFromEnv(env, 'gateway'));
const supergraphPath = new URL('../../schema/supergraph.graphql', import.meta.url);

try {
  const supergraphSdl = await readFile(supergraphPath, 'utf8');
  const gateway = await startGateway({
    supergraphSdl,
    subgraphUrls: Object.fromEntries(subgraphNames.map((name) => [name, subgraphUrlFor(env, name)])),
    host: env.HOST,
    port: env.GATEWAY_PORT,
    logger,
    maxBodyBytes: env.MAX_BODY_BYTES,
    development: env.NODE_ENV === 'development',
    metricsToken: env.METRICS_TOKEN,
    security: createGatewaySecurity({
      jwt: {
        secret: env.JWT_SECRET,
        jwksUrl: env.JWKS_URL,
        issuer: env.JWT_ISSUER,
        audience: env.JWT_AUDIENCE,
      },
      internalAuthSecret: env.INTERNAL_AUTH_SECRET,
      limits: {
        maxDepth: env.MAX_QUERY_DEPTH,
        maxAliases: env.MAX_QUERY_ALIASES,
        maxCost: env.MAX_QUERY_COST,
      },
      rateLimitPerMinute: env.RATE_LIMIT_PER_MINUTE,
      persistedOperationDirs: [fileURLToPath(new URL('../../../shared/contract', import.meta.url))],
      allowlistOnly: env.PERSISTED_OPERATIONS === 'allowlist',
    }),
  });

  // A stuck keep-alive client must not hold the process past the orchestrator's grace period.
  exitOnTermination(
    async () => {
      await gateway.close();
      await tracing.shutdown();
    },
    logger,
    10_000,
  );
} catch (error) {
  logger.fatal({ err: error, supergraphPath: supergraphPath.pathname }, 'gateway failed to start');
  process.exit(1);
}
