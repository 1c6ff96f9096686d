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
  if (parsed.data.NODE_ENV === 'production' && parsed.data.PII_SECRET.startsWith('dev-only')) {
    throw new Error('Invalid environment:\n  PII_SECRET: must be set in production');
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
