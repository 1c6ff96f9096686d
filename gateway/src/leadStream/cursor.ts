import type { GraphQLFormattedError } from 'graphql';
import type { LeadFeed } from './feed.ts';
import { type OpenCursorStream, parseCursor, type UpstreamHandle } from './upstream.ts';
import { Wakeup } from './wakeup.ts';

export type Pulled = { position: number } | { errors: readonly GraphQLFormattedError[] } | null;

export interface CursorCounters {
  /** Catch-up subscriptions of single subscribers (a resume from an old cursor, or a lag past the feed). */
  catchUps: number;
}

/**
 * The positions one subscriber receives, in order and none twice. It reads the shared feed when the
 * feed covers what comes after its last position; otherwise (resuming from an older cursor, or
 * after lagging out of the feed's window) it runs a catch-up subscription of its own from that
 * position, and moves over to the feed as soon as the feed covers it. The catch-up buffer is
 * bounded too: when it fills, the catch-up subscription is dropped and reopened from the last
 * buffered position once the subscriber has read the buffer.
 */
export class SubscriberCursor {
  private readonly wakeup = new Wakeup();
  private mode: 'feed' | 'catchUp' = 'feed';
  private nextSeq = 0;
  /** The last position handed out; the resume point for any catch-up. */
  private last: number | null;
  private readonly buffer: number[] = [];
  private catchUp: UpstreamHandle | null = null;
  /** The catch-up subscription was dropped because the buffer was full. */
  private paused = false;
  private failure: readonly GraphQLFormattedError[] | null = null;
  private closed = false;

  constructor(
    private readonly feed: LeadFeed,
    private readonly open: OpenCursorStream,
    after: string | null,
    private readonly bufferLimit: number,
    private readonly counters: CursorCounters,
  ) {
    feed.join(this.wakeup);
    if (after === null) {
      // Live only: from whatever the feed receives next.
      this.nextSeq = feed.end;
      this.last = feed.latest;
      return;
    }
    this.last = parseCursor(after);
    // An unparsable cursor goes upstream unchanged: the subgraph rejects it with its own error.
    if (this.last === null || !this.moveToFeed(this.last)) this.startCatchUp(after);
  }

  /**
   * The next position, errors that end the stream, null once closed, or undefined when there is
   * nothing yet: then wait() for a change and poll again.
   */
  poll(): Pulled | undefined {
    while (!this.closed) {
      if (this.feed.failure) return { errors: this.feed.failure };
      if (this.mode === 'feed') {
        const slot = this.feed.at(this.nextSeq);
        if (typeof slot === 'number') {
          this.nextSeq += 1;
          // A cursor ahead of the feed (e.g. from another environment) skips what it claims to have seen.
          if (this.last !== null && slot <= this.last) continue;
          this.last = slot;
          return { position: slot };
        }
        if (slot === 'evicted') {
          const from = this.last ?? this.feed.origin;
          this.startCatchUp(from === null ? null : String(from));
          continue;
        }
      } else {
        if (this.last !== null && this.moveToFeed(this.last)) continue;
        const position = this.buffer.shift();
        if (position !== undefined) {
          this.last = position;
          return { position };
        }
        if (this.failure) return { errors: this.failure };
        if (this.paused && this.last !== null) this.startCatchUp(String(this.last));
      }
      return undefined;
    }
    return null;
  }

  /** Calls `waiter` once after the next change (a position, a failure, close()); call right after poll() gave undefined. */
  wait(waiter: () => void): void {
    this.wakeup.wait(waiter);
  }

  /** The position `offset` places after the next one, if it is there without waiting: for prefetching its result. */
  ahead(offset: number): number | undefined {
    if (this.mode === 'catchUp') return this.buffer[offset];
    const slot = this.feed.at(this.nextSeq + offset);
    return typeof slot === 'number' ? slot : undefined;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stopCatchUp();
    this.feed.leave(this.wakeup);
    this.wakeup.notify();
  }

  private moveToFeed(position: number): boolean {
    const seq = this.feed.seqAfter(position);
    if (seq === null) return false;
    this.stopCatchUp();
    this.mode = 'feed';
    this.nextSeq = seq;
    return true;
  }

  private startCatchUp(after: string | null): void {
    this.stopCatchUp();
    this.mode = 'catchUp';
    this.counters.catchUps += 1;
    this.catchUp = this.open(
      { dealerCode: this.feed.dealerCode, after },
      {
        next: (position) => this.buffered(position),
        fail: (errors) => {
          this.failure = errors;
          this.catchUp = null;
          this.wakeup.notify();
        },
      },
    );
  }

  private stopCatchUp(): void {
    this.catchUp?.close();
    this.catchUp = null;
    this.buffer.length = 0;
    this.paused = false;
  }

  private buffered(position: number): void {
    if (this.paused) return;
    if (this.buffer.length >= this.bufferLimit) {
      // Dropped, not queued: the reopened catch-up reads it again after the last buffered position.
      this.catchUp?.close();
      this.catchUp = null;
      this.paused = true;
      return;
    }
    this.buffer.push(position);
    this.wakeup.notify();
  }
}
