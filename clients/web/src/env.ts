import { z } from 'zod';

/** A variable that may be unset or blank; both mean "not given". */
export const optionalText = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v ? v : undefined));

/**
 * The web client's environment, the only place this program reads process.env (the project
 * rule: one zod-validated env module per program).
 */
export const clientEnvSchema = z.object({
  /** The gateway's GraphQL endpoint. */
  CX_GATEWAY_URL: z.url().default('http://127.0.0.1:4000/graphql'),
  /** A bearer JWT; `npm run token -- --role hq_admin` mints one for development. */
  CX_TOKEN: optionalText,
});

export type ClientEnv = z.infer<typeof clientEnvSchema>;

/** Parses an environment, naming every bad variable. */
export function parseEnv<S extends z.ZodType>(
  schema: S,
  source: Record<string, string | undefined>,
): z.infer<S> {
  const parsed = schema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid environment:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

export function loadClientEnv(): ClientEnv {
  return parseEnv(clientEnvSchema, process.env);
}
