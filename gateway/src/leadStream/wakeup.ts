/**
 * Wakes one waiter, by callback rather than promise: a delivery to a thousand subscribers then
 * costs a thousand calls, not a thousand promise reactions and async resumptions. The callback runs
 * in a microtask of its own, never inside notify(), so whatever notifies (a feed appending, an
 * upstream sink) is not re-entered by the waiter's work. There is no pending flag: a waiter checks
 * its condition and calls wait() in one synchronous step, so any later change notifies it. There is
 * no abort signal either: whoever ends the waiter settles it itself (SubscriberStream.end).
 */
export class Wakeup {
  private waiter: (() => void) | null = null;
  private scheduled = false;

  notify(): void {
    if (this.waiter === null || this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(this.run);
  }

  /** Calls `waiter` once, after the next notify(). */
  wait(waiter: () => void): void {
    this.waiter = waiter;
  }

  private readonly run = (): void => {
    this.scheduled = false;
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.();
  };
}
