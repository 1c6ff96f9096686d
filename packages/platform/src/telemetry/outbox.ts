import { eq, sql } from 'drizzle-orm';
import type { Db } from '../db.ts';
import type { OutboxTables } from '../events/outbox.ts';
import { firstRow } from '../events/relay.ts';
import type { Metrics } from './metrics.ts';

type LagReader = () => Promise<number>;
const readersByRegistry = new WeakMap<Metrics, Map<string, LagReader>>();

/**
 * Registers one outbox under `cx_outbox_lag_events{outbox}`: events committed but not yet handed
 * on. Read at scrape time (one small indexed query per outbox), so nothing runs per request.
 */
export function observeOutboxLag(metrics: Metrics, outbox: string, read: LagReader): void {
  let readers = readersByRegistry.get(metrics);
  if (!readers) {
    const all = new Map<string, LagReader>();
    readers = all;
    readersByRegistry.set(metrics, all);
    metrics.gauge(
      'cx_outbox_lag_events',
      'Events committed to an outbox and not yet published (unpositioned plus positioned past the published mark).',
      ['outbox'],
      async (gauge) => {
        await Promise.all(
          [...all].map(async ([name, reader]) => {
            try {
              gauge.set({ outbox: name }, await reader());
            } catch {
              // A scrape must not fail because the database is briefly away; the series keeps its last value.
            }
          }),
        );
      },
    );
  }
  readers.set(outbox, read);
}

/** Lag of a platform event outbox (events/outbox.ts): unpositioned rows plus max(position) - published mark. */
export function eventOutboxLag(db: Db, tables: OutboxTables, source: string): LagReader {
  return async () => {
    const row = firstRow<{ lag: string | number }>(
      await db.execute(sql`select
        (select count(*) from ${tables.outbox} where position is null)
        + (select coalesce(max(position), 0) from ${tables.outbox})
        - coalesce((select ${tables.relayState.publishedPosition} from ${tables.relayState}
            where ${eq(tables.relayState.name, source)}), 0) as lag`),
    );
    return Number(row?.lag ?? 0);
  };
}
