import { readFileSync } from 'node:fs';
import os from 'node:os';

/**
 * CPU seconds spent machine-wide and by given processes, from /proc (Linux). The bench uses them
 * to attribute a measured window: gateway, subgraphs, the Postgres backends of the bench database,
 * and everything else (other work on a shared machine, which makes figures noisy: reported as such).
 */
export interface MachineCpu {
  busySeconds: number;
  /** CPU seconds of each given process (e.g. the Postgres backends serving the bench) by pid. */
  processSeconds: Map<number, number>;
}

const ticksPerSecond = 100;

function readNumbers(line: string): number[] {
  return line.trim().split(/\s+/).slice(1).map(Number);
}

function processTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // After the parenthesised command name: state is field 3, utime 14 and stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}

export function sampleMachineCpu(pids: readonly number[] = []): MachineCpu | null {
  try {
    const [user, nice, system, , , irq, softirq, steal] = readNumbers(
      readFileSync('/proc/stat', 'utf8').split('\n')[0]!,
    );
    const busy = user! + nice! + system! + irq! + softirq! + (steal ?? 0);
    const processSeconds = new Map<number, number>();
    for (const pid of pids) {
      const ticks = processTicks(pid);
      if (ticks !== undefined) processSeconds.set(pid, ticks / ticksPerSecond);
    }
    return { busySeconds: busy / ticksPerSecond, processSeconds };
  } catch {
    return null;
  }
}

/** CPU seconds the processes spent between two samples; one that appeared in between counts whole. */
export function processSecondsBetween(a: MachineCpu, b: MachineCpu): number {
  let total = 0;
  for (const [pid, seconds] of b.processSeconds) total += seconds - (a.processSeconds.get(pid) ?? 0);
  return Math.max(0, total);
}

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGb: number;
  node: string;
  platform: string;
  loadAverage: number[];
}

export function machineInfo(): MachineInfo {
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.type()} ${os.release()}`,
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

/**
 * Waits until the machine is nearly idle (under `maxBusyShare` of all cores busy over two
 * consecutive half-second samples), at most `timeoutSeconds`: a measurement that starts while the
 * previous one's tail still runs (events still in delivery, sockets closing, autovacuum after its
 * writes) measures both. Resolves to the seconds waited, or null where /proc is missing.
 */
export async function settleMachine(options: { maxBusyShare?: number; timeoutSeconds?: number } = {}) {
  const maxBusy = (options.maxBusyShare ?? 0.2) * os.cpus().length * 0.5;
  const deadline = performance.now() + (options.timeoutSeconds ?? 30) * 1000;
  const started = performance.now();
  let quiet = 0;
  let last = sampleMachineCpu();
  if (!last) return null;
  while (quiet < 2 && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const now = sampleMachineCpu();
    if (!now) return null;
    quiet = now.busySeconds - last.busySeconds <= maxBusy ? quiet + 1 : 0;
    last = now;
  }
  return (performance.now() - started) / 1000;
}
