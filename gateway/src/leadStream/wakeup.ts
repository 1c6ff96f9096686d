/**
 * A level-triggered wake-up for one waiter: a notify() that comes before wait() is kept, so a
 * check-then-wait sequence cannot miss it.
 */
export class Wakeup {
  private pending = false;
  private resolve: (() => void) | null = null;

  notify(): void {
    const resolve = this.resolve;
    if (resolve) resolve();
    else this.pending = true;
  }

  /** Resolves on the next (or a pending) notify(), or when `signal` aborts. */
  wait(signal: AbortSignal): Promise<void> {
    if (this.pending || signal.aborted) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        signal.removeEventListener('abort', done);
        this.resolve = null;
        resolve();
      };
      this.resolve = done;
      signal.addEventListener('abort', done, { once: true });
    });
  }
}
