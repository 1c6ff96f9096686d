/**
 * A level-triggered wake-up for one waiter: a notify() that comes before wait() is kept, so a
 * check-then-wait sequence cannot miss it. There is no abort signal: whoever ends the waiter
 * notifies it (SubscriberCursor.close does), which spares every wait an event listener.
 */
export class Wakeup {
  private pending = false;
  private resolve: (() => void) | null = null;

  notify(): void {
    const resolve = this.resolve;
    if (resolve) {
      this.resolve = null;
      resolve();
    } else this.pending = true;
  }

  /** Resolves on the next (or a pending) notify(). */
  wait(): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.resolve = resolve;
    });
  }
}
