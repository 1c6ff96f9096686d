import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findSourceRecordsByKeys, sourceRecordsByKeys } from '../src/repositories/ingest.ts';
import { ingest } from './operations.ts';
import { type CustomerTestStack, clientOf, startCustomerSubgraph } from './support.ts';

const rowsOf = <T>(result: unknown): T[] =>
  Array.isArray(result) ? (result as T[]) : ((result as { rows?: T[] }).rows ?? []);

/** The statement with its parameters written in as literals, for EXPLAIN. */
function inline(text: string, params: unknown[]): string {
  const literal = (v: unknown) => `'${String(v).replaceAll("'", "''")}'`;
  return text.replace(/\$(\d+)/g, (_, n: string) => {
    const value = params[Number(n) - 1];
    return Array.isArray(value) ? `array[${value.map(literal).join(',')}]` : literal(value);
  });
}

/**
 * Ingest reads a batch's stored records by their keys. By external id alone the lookup could not
 * use the primary key's leading column (source), and Postgres read the whole index: 354 ms per
 * batch at a million customers (bench/PROFILE.md, session 10).
 */
describe('source records by key', () => {
  let stack: CustomerTestStack;
  beforeAll(async () => {
    stack = await startCustomerSubgraph();
    await ingest(clientOf(stack), [
      { source: 'DMS', externalId: 'K-1', name: 'Li Lei' },
      { source: 'APP', externalId: 'K-1', name: 'Li Lei' },
      { source: 'DMS', externalId: 'K-2', name: 'Han Meimei' },
    ]);
  });
  afterAll(() => stack.close());

  it('finds exactly the records with these (source, external id) keys', async () => {
    const rows = await findSourceRecordsByKeys(stack.database.db, [
      { source: 'APP', externalId: 'K-1' },
      { source: 'DMS', externalId: 'K-2' },
      { source: 'WEBSITE', externalId: 'K-1' },
    ]);
    expect(rows.map((r) => `${r.source}/${r.externalId}`).sort()).toEqual(['APP/K-1', 'DMS/K-2']);
  });

  it('probes the primary key with both of its columns', async () => {
    const { db } = stack.database;
    const plan = await db.transaction(async (tx) => {
      // A three-row table would be scanned: show which index conditions the planner can use.
      await tx.execute(sql`set local enable_seqscan = off`);
      await tx.execute(sql`set local enable_bitmapscan = off`);
      const query = sourceRecordsByKeys(tx, [{ source: 'DMS', externalId: 'K-2' }]).toSQL();
      return rowsOf<Record<string, string>>(
        await tx.execute(sql.raw(`explain ${inline(query.sql, query.params)}`)),
      );
    });
    const text = plan.map((row) => Object.values(row)[0]).join('\n');
    expect(text).toContain('source_records_pkey');
    expect(text).toMatch(/Index Cond: \(\(source = .*\) AND \(external_id = .*\)\)/);
  });
});
