import type { ClientEnv } from './env.ts';

/** The `--token` / `--url` flags every client CLI accepts, for node:util parseArgs. */
export const connectionFlags = {
  token: { type: 'string' },
  url: { type: 'string' },
} as const;

/** A problem with how the program was called; CLIs exit with 2 on it. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Flags win over the environment; a token is required because the gateway requires one. */
export function resolveConnection(
  flags: { token?: string; url?: string },
  env: ClientEnv,
): { url: string; token: string } {
  const token = flags.token?.trim() || env.CX_TOKEN;
  if (!token) throw new UsageError('no token: pass --token <jwt> or set CX_TOKEN');
  const url = flags.url ?? env.CX_GATEWAY_URL;
  if (!URL.canParse(url)) throw new UsageError(`--url: '${url}' is not a URL`);
  return { url, token };
}

const isParseArgsError = (error: unknown) =>
  String((error as { code?: unknown }).code ?? '').startsWith('ERR_PARSE_ARGS');

/**
 * Runs a CLI's main: errors print as one line, and set exit code 2 for usage problems, 1 for the
 * rest, or the code main resolves with.
 */
export function runCli(name: string, main: () => Promise<number | undefined>): void {
  main().then(
    (code) => {
      process.exitCode = code ?? 0;
    },
    (error: Error) => {
      console.error(`${name}: ${error.message}`);
      process.exitCode = error instanceof UsageError || isParseArgsError(error) ? 2 : 1;
    },
  );
}
