import type { Db } from '@cx/platform';
import {
  type LeadAssignmentEvent,
  latestOutboxPosition,
  readLeadAssignmentEvents,
} from '../repositories/outbox.ts';
import type { OutboxHub } from './hub.ts';

export const STREAM_PAGE_SIZE = 100;

export interface StreamParams {
  /** Deliver events after this position; null means live only, from the current end of the stream. */
  after: number | null;
  dealerCode: string | null;
  signal: AbortSignal;
  pageSize?: number;
  /** Runs before a page is yielded, e.g. to batch-load what its events reference. */
  onPage?: (events: LeadAssignmentEvent[]) => Promise<void>;
}

/**
 * Catch-up then live, as one loop: read the next page after the last delivered position; when
 * there is none, sleep until the hub reports a position beyond what was known before the read.
 * Reading the table each time (not buffering pushed events) makes it lossless and duplicate-free
 * and keeps memory at one page per subscriber however slow the subscriber is.
 */
export async function* leadAssignmentStream(
  db: Db,
  hub: OutboxHub,
  params: StreamParams,
): AsyncGenerator<LeadAssignmentEvent> {
  const { signal, dealerCode } = params;
  const pageSize = params.pageSize ?? STREAM_PAGE_SIZE;
  let last = params.after ?? (await latestOutboxPosition(db));
  while (!signal.aborted) {
    // Captured before the read: anything committed later is beyond it, so the wait below cannot miss it.
    const known = hub.latest;
    const page = await readLeadAssignmentEvents(db, { after: last, dealerCode, limit: pageSize });
    if (page.length === 0) {
      await hub.waitBeyond(Math.max(known, last), signal);
      continue;
    }
    await params.onPage?.(page);
    for (const event of page) {
      if (signal.aborted) return;
      yield event;
      last = event.position;
    }
  }
}

/**
 * Wraps a generator so that `return()` (client unsubscribed or disconnected) takes effect at once:
 * a plain async generator only sees `return()` at its next `yield`, which for an idle stream may
 * never come. Aborting the signal ends the wait the generator is parked in.
 */
export function abortable<T>(start: (signal: AbortSignal) => AsyncGenerator<T>): AsyncGenerator<T> {
  const controller = new AbortController();
  const inner = start(controller.signal);
  const iterator: AsyncGenerator<T> = {
    next: () => inner.next(),
    return: (value) => {
      controller.abort();
      return inner.return(value);
    },
    throw: (error) => {
      controller.abort();
      return inner.throw(error);
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
