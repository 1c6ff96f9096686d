import { type ChildProcess, fork } from 'node:child_process';
import { createServer } from 'node:net';
import { pathToFileURL } from 'node:url';
import { procEntry, repoRoot } from './paths.ts';
import type { CpuReport, ProbeAck, ProbeRequest } from './procs/cpuProbe.ts';

/** A server process the bench forked: its CPU can be sampled and it stops on request. */
export interface ServerProcess {
  name: string;
  pid: number;
  /** User + system CPU microseconds since start, read inside the process via the IPC probe. */
  cpu(): Promise<CpuReport>;
  /** A V8 CPU profile of just the span between these two calls, written to `file`. */
  profileStart(): Promise<void>;
  profileStop(file: string): Promise<void>;
  stop(): Promise<void>;
  /** The last lines the process wrote, for error messages. */
  output(): string;
}

export interface ForkOptions {
  name: string;
  entry: string;
  /** Variables added to the inherited environment; every child reads its config via loadEnv(). */
  env: Record<string, string>;
  /** Extra node flags, e.g. --cpu-prof. */
  nodeFlags?: string[];
  /** Resolves true once the process serves; polled until `timeoutMs`. */
  ready: () => Promise<boolean>;
  timeoutMs?: number;
}

/** A port the kernel just handed out; the child binds it a moment later (loopback only). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (!address || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}

/** Forks a TypeScript entry under tsx with the CPU probe preloaded, and waits until it serves. */
export async function forkServer(options: ForkOptions): Promise<ServerProcess> {
  let tail = '';
  const child = fork(options.entry, [], {
    cwd: repoRoot,
    execArgv: [
      '--import',
      'tsx',
      '--import',
      pathToFileURL(procEntry('cpuProbe')).href,
      ...(options.nodeFlags ?? []),
    ],
    // The child inherits the environment plus its own settings; it reads them through loadEnv().
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exit = exited(child);
  let gone = false;
  void exit.then(() => {
    gone = true;
  });

  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  for (;;) {
    if (gone) throw new Error(`${options.name} exited during start:\n${tail}`);
    if (await options.ready().catch(() => false)) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${options.name} did not become ready in time:\n${tail}`);
    }
    await sleep(200);
  }

  // One question at a time per kind; the probe answers with a message of the same kind.
  const ask = <T>(request: ProbeRequest): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${options.name}: no answer to ${request.kind}`)),
        30_000,
      );
      const onMessage = (message: unknown) => {
        if ((message as { kind?: string } | null)?.kind !== request.kind) return;
        clearTimeout(timer);
        child.off('message', onMessage);
        resolve(message as T);
      };
      child.on('message', onMessage);
      child.send(request);
    });

  return {
    name: options.name,
    pid: child.pid!,
    output: () => tail,
    cpu: () => ask<CpuReport>({ kind: 'bench:cpu' }),
    profileStart: async () => {
      const ack = await ask<ProbeAck>({ kind: 'bench:profile-start' });
      if (ack.error) throw new Error(`${options.name}: ${ack.error}`);
    },
    profileStop: async (file) => {
      const ack = await ask<ProbeAck>({ kind: 'bench:profile-stop', file });
      if (ack.error) throw new Error(`${options.name}: ${ack.error}`);
    },
    stop: async () => {
      if (gone) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exit;
      clearTimeout(timer);
    },
  };
}
