import { z } from 'zod';

/** The only module that reads process.env. Everything else receives typed config. */
export const subgraphNames = ['customer', 'vehicle', 'sales', 'service', 'feedback'] as const;
export type SubgraphName = (typeof subgraphNames)[number];

const optionalUrl = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v ? v : undefined))
  .pipe(z.url().optional());

const poolSize = z.coerce.number().int().min(1).max(200);

const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATA_DIR: z.string().default('.data'),
  DATABASE_URL: optionalUrl,
  CUSTOMER_DATABASE_URL: optionalUrl,
  VEHICLE_DATABASE_URL: optionalUrl,
  SALES_DATABASE_URL: optionalUrl,
  SERVICE_DATABASE_URL: optionalUrl,
  FEEDBACK_DATABASE_URL: optionalUrl,
  /**
   * Direct (non-pooled) Postgres URLs for LISTEN, when the URLs above go through PgBouncer in
   * transaction mode (those then carry `?prepare=false`). Unset: LISTEN uses the URL above.
   */
  DATABASE_DIRECT_URL: optionalUrl,
  CUSTOMER_DATABASE_DIRECT_URL: optionalUrl,
  VEHICLE_DATABASE_DIRECT_URL: optionalUrl,
  SALES_DATABASE_DIRECT_URL: optionalUrl,
  SERVICE_DATABASE_DIRECT_URL: optionalUrl,
  FEEDBACK_DATABASE_DIRECT_URL: optionalUrl,
  /** Connections per subgraph pool; <NAME>_DB_POOL_MAX overrides it for one subgraph. */
  DB_POOL_MAX: poolSize.default(10),
  CUSTOMER_DB_POOL_MAX: poolSize.optional(),
  VEHICLE_DB_POOL_MAX: poolSize.optional(),
  SALES_DB_POOL_MAX: poolSize.optional(),
  SERVICE_DB_POOL_MAX: poolSize.optional(),
  FEEDBACK_DB_POOL_MAX: poolSize.optional(),
  TEST_DATABASE_URL: optionalUrl,
  HOST: z.string().default('127.0.0.1'),
  GATEWAY_PORT: port(4000),
  CUSTOMER_PORT: port(4001),
  VEHICLE_PORT: port(4002),
  SALES_PORT: port(4003),
  SERVICE_PORT: port(4004),
  FEEDBACK_PORT: port(4005),
  CUSTOMER_URL: optionalUrl,
  VEHICLE_URL: optionalUrl,
  SALES_URL: optionalUrl,
  SERVICE_URL: optionalUrl,
  FEEDBACK_URL: optionalUrl,
  SEED_CUSTOMERS: z.coerce.number().int().min(0).default(2000),
  SEED: z.coerce.number().int().default(42),
  MAX_BODY_BYTES: z.coerce.number().int().min(1024).default(1_000_000),
  METADATA_SERVER_DETECTION: z.string().optional(),
  /** HS256 secret for client JWTs in development; production uses JWKS_URL. */
  JWT_SECRET: z.string().min(16).default('dev-only-jwt-secret-change-me-0123456789'),
  JWKS_URL: optionalUrl,
  JWT_ISSUER: z.string().default('https://auth.cx.local'),
  JWT_AUDIENCE: z.string().default('cx-supergraph'),
  /** HMAC secret shared by the gateway and the subgraphs for the signed internal auth header. */
  INTERNAL_AUTH_SECRET: z.string().min(16).default('dev-only-internal-secret-change-me'),
  MAX_QUERY_DEPTH: z.coerce.number().int().min(1).default(12),
  MAX_QUERY_ALIASES: z.coerce.number().int().min(0).default(30),
  MAX_QUERY_COST: z.coerce.number().int().min(1).default(20_000),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(600),
  /** `allowlist`: only registered (persisted) operation hashes run. */
  PERSISTED_OPERATIONS: z.enum(['off', 'allowlist']).default('off'),
  /** NATS with JetStream: the event bus between processes. Unset: one process, in-process bus. */
  NATS_URL: optionalUrl,
  /** The JetStream stream; its subjects are its name lower-cased with dots (CX_EVENTS: cx.events.<topic>). */
  NATS_STREAM: z
    .string()
    .regex(/^[A-Z][A-Z0-9_]*$/)
    .default('CX_EVENTS'),
  /**
   * Events a NATS consumer takes per batch (one transaction). Replicas of one consumer take their
   * own batches, so above 1 the consumer's order holds only when it runs in one replica.
   */
  NATS_CONSUMER_BATCH: z.coerce.number().int().min(1).max(1000).default(1),
  /** Derives the PII encryption and keyed-hash keys. The default is for development only. */
  PII_SECRET: z.string().min(16).default('dev-only-pii-secret-change-me'),
  /** When set, GET /metrics (gateway and subgraphs) needs `Authorization: Bearer <token>`. */
  METRICS_TOKEN: z.string().min(16).optional(),
  /** Tracing: `otlp` (the default when an endpoint is set), `console`, or `none` (the default: off). */
  OTEL_TRACES_EXPORTER: z.enum(['none', 'otlp', 'console']).optional(),
  /** OTLP/HTTP collector base URL, e.g. http://otel-collector:4318 (spans go to /v1/traces). */
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalUrl,
  /** Overrides the service name on spans (default: gateway, the subgraph's name, or cx-supergraph). */
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
  /** Share of new traces recorded, 0..1; a caller's traceparent decision is kept. */
  OTEL_TRACES_SAMPLER_ARG: z.coerce.number().min(0).max(1).default(1),
});

export type Env = z.infer<typeof envSchema>;

let cached: Env | undefined;

export function loadEnv(): Env {
  if (cached) return cached;
  const parsed = envSchema.safeParse(process.env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid environment:\n${lines.join('\n')}`);
  }
  // @apollo/gateway's GCP resource detector probes a metadata server on a closed network.
  process.env.METADATA_SERVER_DETECTION ??= 'none';
  if (parsed.data.NODE_ENV === 'production') {
    const devOnly: string[] = (['PII_SECRET', 'INTERNAL_AUTH_SECRET'] as const).filter((k) =>
      parsed.data[k].startsWith('dev-only'),
    );
    if (!parsed.data.JWKS_URL) devOnly.push('JWKS_URL');
    if (devOnly.length > 0)
      throw new Error(
        `Invalid environment:\n${devOnly.map((k) => `  ${k}: must be set in production`).join('\n')}`,
      );
  }
  cached = parsed.data;
  return cached;
}

const upper = (name: SubgraphName) => name.toUpperCase() as Uppercase<SubgraphName>;

export function databaseUrlFor(env: Env, name: SubgraphName): string | undefined {
  return env[`${upper(name)}_DATABASE_URL`] ?? env.DATABASE_URL;
}

/** The URL for LISTEN: never a PgBouncer one (transaction pooling drops LISTEN at commit). */
export function directDatabaseUrlFor(env: Env, name: SubgraphName): string | undefined {
  return env[`${upper(name)}_DATABASE_DIRECT_URL`] ?? env.DATABASE_DIRECT_URL;
}

export function poolMaxFor(env: Env, name: SubgraphName): number {
  return env[`${upper(name)}_DB_POOL_MAX`] ?? env.DB_POOL_MAX;
}

export function portFor(env: Env, name: SubgraphName): number {
  return env[`${upper(name)}_PORT`];
}

export function subgraphUrlFor(env: Env, name: SubgraphName): string {
  return env[`${upper(name)}_URL`] ?? `http://${env.HOST}:${portFor(env, name)}/graphql`;
}
