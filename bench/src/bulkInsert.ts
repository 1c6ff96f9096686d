import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Db } from '@cx/platform';
import { getTableColumns, is, SQL } from 'drizzle-orm';
import { getTableConfig, type PgColumn, type PgTable } from 'drizzle-orm/pg-core';

/** Rows per multi-row INSERT: large enough to be fast, small enough for Postgres' 65,535 parameters. */
const INSERT_CHUNK = 1000;
/** Bytes of COPY text handed to the socket at a time. */
const COPY_CHUNK_BYTES = 1 << 20;

/** The slice of a postgres.js client that COPY needs; PGlite handles have none of it. */
interface CopyClient {
  unsafe(query: string): { writable(): Promise<NodeJS.WritableStream> };
}

function copyClientOf(db: Db): CopyClient | null {
  const client: unknown = (db as unknown as { $client?: unknown }).$client;
  const candidate = client as { unsafe?: unknown; begin?: unknown } | null;
  return typeof candidate?.unsafe === 'function' && typeof candidate.begin === 'function'
    ? (client as CopyClient)
    : null;
}

/** COPY text format: backslash escapes for the four characters that would break a field. */
export function copyField(value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  if (typeof value === 'boolean') return value ? 't' : 'f';
  const text = typeof value === 'string' ? value : String(value);
  return /[\\\t\n\r]/.test(text)
    ? text.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r')
    : text;
}

interface CopyColumn {
  key: string;
  column: PgColumn;
  /** A JS-side default Drizzle would compute for a row that leaves the column out. */
  fill?: () => unknown;
}

/**
 * The columns COPY must name, mirroring what Drizzle's INSERT would send: keys the rows set,
 * plus columns with a JS default function. Null when a row leaves out a column that another row
 * sets and only a SQL default could fill it: COPY has no per-field DEFAULT, so INSERT must do.
 */
function copyColumns(table: PgTable, rows: Record<string, unknown>[]): CopyColumn[] | null {
  const columns: CopyColumn[] = [];
  for (const [key, column] of Object.entries(getTableColumns(table)) as [string, PgColumn][]) {
    const set = rows.filter((r) => r[key] !== undefined).length;
    const fn = column.defaultFn ?? (column.default === undefined ? column.onUpdateFn : undefined);
    if (set === rows.length) columns.push({ key, column });
    else if (fn) columns.push({ key, column, fill: fn });
    else if (set > 0 && column.hasDefault) return null;
    else if (set > 0) columns.push({ key, column });
  }
  return columns;
}

function* copyLines(rows: Record<string, unknown>[], columns: CopyColumn[]): Generator<string> {
  let buffer = '';
  for (const row of rows) {
    let line = '';
    for (let i = 0; i < columns.length; i += 1) {
      const { key, column, fill } = columns[i]!;
      let value = row[key];
      if (value === undefined && fill) value = fill();
      if (is(value, SQL)) throw new Error(`COPY cannot send SQL expressions (column ${column.name})`);
      const driverValue = value === null || value === undefined ? null : column.mapToDriverValue(value);
      line += (i === 0 ? '' : '\t') + copyField(driverValue);
    }
    buffer += `${line}\n`;
    if (buffer.length >= COPY_CHUNK_BYTES) {
      yield buffer;
      buffer = '';
    }
  }
  if (buffer) yield buffer;
}

async function copyRows(
  client: CopyClient,
  table: PgTable,
  rows: Record<string, unknown>[],
  columns: CopyColumn[],
): Promise<void> {
  const { name, schema } = getTableConfig(table);
  const target = schema ? `"${schema}"."${name}"` : `"${name}"`;
  const list = columns.map((c) => `"${c.column.name}"`).join(', ');
  const writable = await client.unsafe(`copy ${target} (${list}) from stdin`).writable();
  await pipeline(Readable.from(copyLines(rows, columns)), writable);
}

/**
 * Writes rows as Drizzle's INSERT would, through COPY on postgres.js (several times faster) and
 * chunked multi-row INSERTs elsewhere (PGlite). Returns the number of rows written.
 */
export async function insertRows<T extends PgTable>(
  db: Db,
  table: T,
  rows: T['$inferInsert'][],
): Promise<number> {
  if (rows.length === 0) return 0;
  const client = copyClientOf(db);
  const plain = rows as Record<string, unknown>[];
  const columns = client ? copyColumns(table, plain) : null;
  if (client && columns) {
    await copyRows(client, table, plain, columns);
    return rows.length;
  }
  for (let i = 0; i < rows.length; i += INSERT_CHUNK)
    await db.insert(table).values(rows.slice(i, i + INSERT_CHUNK));
  return rows.length;
}
