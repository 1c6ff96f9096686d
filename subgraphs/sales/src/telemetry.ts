import type { Db } from '@cx/platform';
import type { Metrics } from '@cx/platform/telemetry/metrics';
import { observeOutboxLag } from '@cx/platform/telemetry/outbox';
import { unpositionedOutboxCount } from './repositories/outbox.ts';
import { slaEvents } from './sla/metrics.ts';
import type { SlaSweepResult } from './sla/sweep.ts';

/**
 * Sales' own figures on its server's registry: the lead stream's outbox lag and SLA outcomes.
 * SLA outcomes come from the process-wide `slaEvents`, so two sales replicas in one process
 * (tests only) each count both. Returns the unsubscribe.
 */
export function observeSales(metrics: Metrics, db: Db): () => void {
  observeOutboxLag(metrics, 'sales.lead_stream', () => unpositionedOutboxCount(db));
  const breaches = metrics.counter(
    'cx_sla_breaches_total',
    'Leads whose consultant missed the first-contact SLA (each one escalated).',
  );
  const reassigned = metrics.counter(
    'cx_sla_reassignments_total',
    'Leads reassigned after an SLA escalation.',
  );
  const reassignFailed = metrics.counter(
    'cx_sla_reassign_failures_total',
    'SLA reassignments that found no other consultant.',
  );
  const onSweep = (result: SlaSweepResult) => {
    breaches.inc(result.escalated.length);
    reassigned.inc(result.reassigned.length);
    reassignFailed.inc(result.reassignFailed.length);
  };
  slaEvents.on('sweep', onSweep);
  return () => {
    slaEvents.off('sweep', onSweep);
  };
}
