import { Worker } from 'node:worker_threads';
import type {
  SubscriberThreadCommand,
  SubscriberThreadData,
  SubscriberThreadMessage,
} from './subscriberThread.ts';

/** The worker's entry runs as TypeScript through tsx's loader, registered inside the new thread. */
const threadSource = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then(({ register }) => {
  register();
  return import(${JSON.stringify(new URL('./subscriberThread.ts', import.meta.url).href)});
});`;

/**
 * Bench subscribers spread over worker threads. Real dashboards each have their own machine; in
 * one thread the thousandth subscriber would wait for the other 999 to be parsed, and the harness,
 * not the stack, would set the tail latency. Arrivals come back as epoch-clock times.
 */
export class SubscriberPool {
  /** Arrival times (epoch ms) per lead id, one per delivery. */
  readonly arrivals = new Map<string, number[]>();
  delivered = 0;
  failures = 0;
  connected = 0;
  /** Close codes and reasons seen by the clients, for a clear failure when connecting stalls. */
  readonly closes = new Map<string, number>();
  private readonly threads: Worker[];
  private threadError: Error | null = null;
  private added = 0;

  constructor(data: SubscriberThreadData, threads: number) {
    this.threads = Array.from({ length: threads }, () => {
      const worker = new Worker(threadSource, { eval: true, workerData: data });
      worker.on('message', (message: SubscriberThreadMessage) => this.receive(message));
      worker.on('error', (error) => {
        this.threadError ??= error;
      });
      return worker;
    });
  }

  get threadCount(): number {
    return this.threads.length;
  }

  /** Opens `count` more subscribers, shared out over the threads. */
  add(count: number): void {
    this.healthy();
    const shares = new Array<number>(this.threads.length).fill(0);
    for (let i = 0; i < count; i += 1) shares[(this.added + i) % shares.length]! += 1;
    this.added += count;
    shares.forEach((n, t) => {
      if (n > 0) this.threads[t]!.postMessage({ type: 'add', count: n } satisfies SubscriberThreadCommand);
    });
  }

  /** True, or throws when a thread has failed (its subscribers would never answer). */
  healthy(): true {
    if (this.threadError) throw new Error(`subscriber thread failed: ${this.threadError.message}`);
    return true;
  }

  closeSummary(): string {
    return [...this.closes].map(([what, n]) => `${n} x ${what}`).join(', ') || 'none';
  }

  /** Closes every client, then ends the threads. */
  async dispose(): Promise<void> {
    await Promise.all(
      this.threads.map(
        (thread) =>
          new Promise<void>((resolve) => {
            thread.once('exit', () => resolve());
            thread.on('message', (m: SubscriberThreadMessage) => {
              if (m.type === 'disposed') void thread.terminate();
            });
            thread.postMessage({ type: 'dispose' } satisfies SubscriberThreadCommand);
          }),
      ),
    );
  }

  private receive(message: SubscriberThreadMessage): void {
    switch (message.type) {
      case 'connected':
        this.connected += 1;
        return;
      case 'closed':
        this.closes.set(message.what, (this.closes.get(message.what) ?? 0) + 1);
        return;
      case 'arrivals':
        this.failures += message.failures;
        for (let i = 0; i < message.leadIds.length; i += 1) {
          const id = message.leadIds[i]!;
          const list = this.arrivals.get(id);
          if (list) list.push(message.at[i]!);
          else this.arrivals.set(id, [message.at[i]!]);
        }
        this.delivered += message.leadIds.length;
        return;
      case 'disposed':
        return;
    }
  }
}
