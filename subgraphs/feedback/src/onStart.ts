import type { Db, Logger } from '@cx/platform';
import { scrubDeliveredTokens } from './repositories/outbox.ts';

const SCRUB_EVERY_MS = 5_000;

/** Runs the token scrubber in the background; resolves to its disposer. */
export async function startTokenScrubber(deps: { db: Db; logger: Logger }): Promise<() => Promise<void>> {
  let running: Promise<void> | null = null;
  const tick = () => {
    if (running) return;
    running = scrubDeliveredTokens(deps.db, 'feedback')
      .then((n) => {
        if (n > 0) deps.logger.debug({ scrubbed: n }, 'delivered invitation tokens removed from the outbox');
      })
      .catch((error: unknown) => deps.logger.warn({ err: error }, 'token scrub failed; retrying later'))
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(tick, SCRUB_EVERY_MS);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
