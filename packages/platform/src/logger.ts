import { type DestinationStream, type Logger, pino } from 'pino';
import { requestScope } from './requestScope.ts';
import { activeTraceIds } from './telemetry/tracing.ts';

export type { DestinationStream, Logger };

/**
 * Every line logged while serving a request carries its request id (shared across the gateway
 * -> subgraph hop through x-request-id) and, with tracing on, the trace and span ids.
 * Runs only for lines that are actually written.
 */
function requestFields(): Record<string, string> {
  const requestId = requestScope.getStore()?.requestId;
  const ids = activeTraceIds();
  if (!requestId) return ids ?? {};
  return ids ? { requestId, ...ids } : { requestId };
}

export function createLogger(name: string, level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      name,
      level,
      base: { service: name },
      timestamp: pino.stdTimeFunctions.isoTime,
      mixin: requestFields,
    },
    destination,
  );
}
