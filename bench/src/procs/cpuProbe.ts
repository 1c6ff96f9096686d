import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

/**
 * Preloaded (`--import`) into every server process the bench forks. Over the IPC channel it
 * answers CPU-usage samples and starts/stops a V8 CPU profile around a measured window, so the
 * bench measures a gateway or subgraph without that code knowing about the bench.
 */
export type ProbeRequest =
  | { kind: 'bench:cpu' }
  | { kind: 'bench:profile-start' }
  | { kind: 'bench:profile-stop'; file: string };

export interface CpuReport {
  kind: 'bench:cpu';
  /** Microseconds of user and system CPU since the process started. */
  user: number;
  system: number;
  rssBytes: number;
}

export interface ProbeAck {
  kind: 'bench:profile-start' | 'bench:profile-stop';
  error?: string;
}

// tsx turns on source-mapped stack traces; a library that builds an Error per request (agent-base
// in stock Apollo's fetcher does) would pay for that here but not in a compiled deployment.
process.setSourceMapsEnabled(false);

let session: Session | undefined;

function post(method: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    session!.post(method, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

async function handle(request: ProbeRequest): Promise<CpuReport | ProbeAck> {
  if (request.kind === 'bench:cpu') {
    const { user, system } = process.cpuUsage();
    return { kind: 'bench:cpu', user, system, rssBytes: process.memoryUsage.rss() };
  }
  if (request.kind === 'bench:profile-start') {
    session = new Session();
    session.connect();
    await post('Profiler.enable');
    await post('Profiler.start');
    return { kind: request.kind };
  }
  const { profile } = (await post('Profiler.stop')) as { profile: unknown };
  session?.disconnect();
  session = undefined;
  writeFileSync(request.file, JSON.stringify(profile));
  return { kind: request.kind };
}

if (process.send) {
  process.on('message', (message: unknown) => {
    const request = message as ProbeRequest | null;
    if (!request || typeof request.kind !== 'string' || !request.kind.startsWith('bench:')) return;
    handle(request).then(
      (reply) => process.send?.(reply),
      (error: unknown) => process.send?.({ kind: request.kind, error: String(error) }),
    );
  });
}
