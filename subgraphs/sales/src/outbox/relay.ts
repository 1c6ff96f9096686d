import { AsyncResource } from 'node:async_hooks';
import type { Db, Logger } from '@cx/platform';
import { relayOutboxStep } from '../repositories/outbox.ts';
import type { OutboxHub } from './hub.ts';

export interface OutboxRelay {
  /** Runs a relay step soon; kicks during a step coalesce into one more step. */
  kick(): void;
  /** Resolves when no step is running or queued (tests use it to wait for positions). */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Positions outbox rows after commit. Kicked in-process after each commit that wrote rows, and
 * polled, so rows committed just before a crash (written, never kicked) are still delivered, and
 * so every process learns the latest position even if a NOTIFY was missed.
 */
export function startOutboxRelay(
  db: Db,
  hub: OutboxHub,
  logger: Logger,
  options: { pollMs?: number } = {},
): OutboxRelay {
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = false;

  const step = async () => {
    try {
      const result = await relayOutboxStep(db);
      hub.advance(result.latest);
      if (result.assigned > 0)
        logger.debug({ assigned: result.assigned, latest: result.latest }, 'outbox positions assigned');
    } catch (error) {
      // The next kick or poll retries; positions are only ever assigned by a committed step.
      logger.warn({ err: error }, 'outbox relay step failed');
    }
  };

  // Bound to the context the relay starts in: a kick from a resolver must not run (and be counted,
  // traced or logged) as part of that request.
  const kick = AsyncResource.bind(() => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = (async () => {
      do {
        again = false;
        await step();
      } while (again && !stopped);
    })().finally(() => {
      running = null;
    });
  });

  const timer = setInterval(kick, options.pollMs ?? 500);
  timer.unref();
  hub.attachRelay(kick);
  kick();

  return {
    kick,
    idle: async () => {
      while (running) await running;
    },
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      hub.attachRelay(null);
      while (running) await running;
    },
  };
}
