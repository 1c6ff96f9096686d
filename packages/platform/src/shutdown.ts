import type { Logger } from './logger.ts';

/**
 * SIGTERM/SIGINT handling for a server process: drain once (`close`), then exit 0. The exit is
 * bounded: a close that fails or outlasts `timeoutMs` (kept under an orchestrator's usual 30 s
 * grace period) exits 1, and a second signal exits at once.
 */
export function exitOnTermination(close: () => Promise<void>, logger: Logger, timeoutMs = 15_000): void {
  let closing = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) {
      logger.warn({ signal }, 'second signal: exiting without waiting for the drain');
      process.exit(1);
    }
    closing = true;
    logger.info({ signal }, 'shutting down: draining requests and subscriptions');
    setTimeout(() => {
      logger.error({ timeoutMs }, 'shutdown timed out');
      process.exit(1);
    }, timeoutMs).unref();
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
