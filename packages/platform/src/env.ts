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
  DB_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
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
  NATS_URL: optionalUrl,
  /** Derives the PII encryption and keyed-hash keys. The default is for development only. */
  PII_SECRET: z.string().min(16).default('dev-only-pii-secret-change-me'),
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

export function portFor(env: Env, name: SubgraphName): number {
  return env[`${upper(name)}_PORT`];
}

export function subgraphUrlFor(env: Env, name: SubgraphName): string {
  return env[`${upper(name)}_URL`] ?? `http://${env.HOST}:${portFor(env, name)}/graphql`;
}
