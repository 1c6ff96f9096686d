import type { GraphQLFormattedError } from 'graphql';
import type { OpenCursorStream, UpstreamHandle } from './upstream.ts';
import type { Wakeup } from './wakeup.ts';

export type FeedSlot = number | 'pending' | 'evicted';

/**
 * One live upstream subscription per dealer filter, fanned out to every subscriber of that filter.
 *
 * Why shared rather than one upstream per client: each upstream subscription costs the sales
 * subgraph a table read per wake-up, so a thousand dashboards would cost a thousand reads per
 * lead. Here they cost one. Memory stays bounded because the feed keeps only the last `capacity`
 * positions (numbers, not payloads) and each subscriber only an index into them: delivery is
 * pull-based, a slow subscriber simply reads later, and one that falls out of the window goes
 * back to a catch-up subscription of its own (see SubscriberCursor) instead of growing a buffer.
 */
export class LeadFeed {
  private readonly positions: number[] = [];
  /** Sequence number of positions[0]; sequence numbers count every position ever appended. */
  private firstSeq = 0;
  /**
   * Every event of this filter after `floor` is in `positions` or yet to come; null until the
   * first event, since a live-only subscription does not say where it started.
   */
  private floor: number | null = null;
  private start: number | null = null;
  private readonly members = new Set<Wakeup>();
  private upstream: UpstreamHandle | null = null;
  failure: readonly GraphQLFormattedError[] | null = null;

  constructor(
    readonly dealerCode: string | null,
    private readonly capacity: number,
    private readonly open: OpenCursorStream,
    private readonly onEmpty: (feed: LeadFeed) => void,
    /** Sees each new position before the members are woken, e.g. to start its shared result. */
    private readonly onAppend: (feed: LeadFeed, position: number) => void = () => {},
  ) {}

  get size(): number {
    return this.members.size;
  }

  /** The sequence number the next appended position will get. */
  get end(): number {
    return this.firstSeq + this.positions.length;
  }

  get latest(): number | null {
    return this.positions.at(-1) ?? null;
  }

  /** The position just before the first one this feed received: where a joiner at sequence 0 stands. */
  get origin(): number | null {
    return this.start;
  }

  join(member: Wakeup): void {
    this.members.add(member);
    if (this.upstream || this.failure) return;
    this.upstream = this.open(
      { dealerCode: this.dealerCode, after: null },
      { next: (position) => this.append(position), fail: (errors) => this.fail(errors) },
    );
  }

  leave(member: Wakeup): void {
    this.members.delete(member);
    if (this.members.size > 0) return;
    this.upstream?.close();
    this.upstream = null;
    this.onEmpty(this);
  }

  at(seq: number): FeedSlot {
    if (seq < this.firstSeq) return 'evicted';
    return this.positions[seq - this.firstSeq] ?? 'pending';
  }

  /** Where a subscriber that has seen everything up to `position` continues, or null if the feed cannot tell. */
  seqAfter(position: number): number | null {
    if (this.floor === null || position < this.floor) return null;
    // Binary search for the first position greater than `position`.
    let lo = 0;
    let hi = this.positions.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.positions[mid]! <= position) lo = mid + 1;
      else hi = mid;
    }
    return this.firstSeq + lo;
  }

  private append(position: number): void {
    if (this.floor === null) {
      this.floor = position - 1;
      this.start = this.floor;
    }
    this.positions.push(position);
    if (this.positions.length > this.capacity) {
      this.floor = this.positions.shift()!;
      this.firstSeq += 1;
    }
    this.onAppend(this, position);
    for (const member of this.members) member.notify();
  }

  private fail(errors: readonly GraphQLFormattedError[]): void {
    this.failure = errors;
    this.upstream = null;
    for (const member of this.members) member.notify();
  }
}
