import { EventEmitter } from 'node:events';
import type { SlaSweepResult } from './sweep.ts';

/** Cumulative SLA outcomes of this process, for a metrics exporter to read or subscribe to. */
export interface SlaCounts {
  sweeps: number;
  /** First-contact breaches: each escalation is one breach. */
  breaches: number;
  reassignments: number;
  reassignFailures: number;
}

export interface SlaMetricEvents {
  /** After every sweep that fired or cancelled something, with what it did. */
  sweep: [SlaSweepResult];
}

const counts: SlaCounts = { sweeps: 0, breaches: 0, reassignments: 0, reassignFailures: 0 };

/** Emits 'sweep' with each non-empty SlaSweepResult (e.g. to increment Prometheus counters). */
export const slaEvents = new EventEmitter<SlaMetricEvents>();

export function slaCounts(): Readonly<SlaCounts> {
  return { ...counts };
}

/** Called by the sweeper after each sweep. */
export function recordSlaSweep(result: SlaSweepResult): void {
  counts.sweeps += 1;
  counts.breaches += result.escalated.length;
  counts.reassignments += result.reassigned.length;
  counts.reassignFailures += result.reassignFailed.length;
  if (result.claimed > 0) slaEvents.emit('sweep', result);
}
