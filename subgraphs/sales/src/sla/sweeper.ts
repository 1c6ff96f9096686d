import { AsyncResource } from 'node:async_hooks';
import type { Db, Logger } from '@cx/platform';
import { recordSlaSweep } from './metrics.ts';
import { runSlaSweep, SLA_SWEEP_BATCH, type SlaSweepResult } from './sweep.ts';

/** How often each replica looks for due SLA timers. */
export const SLA_POLL_MS = 5_000;

export interface SlaSweeperOptions {
  /** The clock timers are compared against; tests drive it. */
  now?: () => Date;
  pollMs?: number;
  /** Called after a sweep that reassigned leads (their stream events wait in the outbox). */
  onReassigned?: () => void;
}

export interface SlaSweeper {
  /** Sweeps now until nothing more is due (returns every sweep's result); coalesces with a running one. */
  sweep(): Promise<SlaSweepResult[]>;
  stop(): Promise<void>;
}

/**
 * Polls for due SLA timers. Each replica runs one; runSlaSweep's SKIP LOCKED claim makes them
 * share the work without firing a timer twice. Sweeps never overlap within a process.
 */
export function startSlaSweeper(db: Db, logger: Logger, options: SlaSweeperOptions = {}): SlaSweeper {
  const now = options.now ?? (() => new Date());
  let running: Promise<SlaSweepResult[]> | null = null;
  let stopped = false;

  const drain = async (): Promise<SlaSweepResult[]> => {
    const results: SlaSweepResult[] = [];
    try {
      for (;;) {
        const result = await runSlaSweep(db, { now: now() });
        recordSlaSweep(result);
        results.push(result);
        if (result.reassigned.length > 0) options.onReassigned?.();
        if (result.claimed > 0)
          logger.info(
            {
              escalated: result.escalated.length,
              reassigned: result.reassigned.length,
              reassignFailed: result.reassignFailed.length,
              cancelled: result.cancelled,
            },
            'sla sweep',
          );
        if (result.claimed < SLA_SWEEP_BATCH || stopped) break;
      }
    } catch (error) {
      // The transaction rolled back: the timers stay due and the next poll retries them.
      logger.warn({ err: error }, 'sla sweep failed');
    }
    return results;
  };

  // Bound to the sweeper's own async context, not to whichever request happened to trigger it.
  const sweep = AsyncResource.bind(() => {
    if (stopped) return Promise.resolve([]);
    running ??= drain().finally(() => {
      running = null;
    });
    return running;
  });

  const timer = setInterval(() => void sweep(), options.pollMs ?? SLA_POLL_MS);
  timer.unref();

  return {
    sweep,
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
