import { getTableColumns, is, SQL, sql } from 'drizzle-orm';
import { getTableConfig, type PgColumn, type PgTable } from 'drizzle-orm/pg-core';
import { columnCastType as castType, isSerialColumn } from './anyOf.ts';
import type { Db } from './db.ts';

/** Every value travels as text; Postgres casts it back to the column's type. */
function asText(column: PgColumn, value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const driver: unknown = column.mapToDriverValue(value);
  if (driver instanceof Date) return driver.toISOString();
  if (typeof driver === 'object') return JSON.stringify(driver);
  return String(driver);
}

function defaultOf(table: PgTable, column: PgColumn): SQL {
  if (is(column.default, SQL)) return column.default;
  if (isSerialColumn(column)) {
    const name = `${getTableConfig(table).schema ?? 'public'}.${getTableConfig(table).name}`;
    return sql`nextval(pg_get_serial_sequence(${name}, ${column.name}))`;
  }
  if (column.default === undefined) return sql`null`;
  // Typed text first: postgres.js serializes a parameter by the type Postgres infers for it, and
  // its boolean serializer turns the text 'true' into false.
  return sql`${asText(column, column.default)}::text::${sql.raw(castType(column))}`;
}

/**
 * `select ... from json_to_recordset($1::text::json) as u(c0 uuid, c1 text, ...)`, for
 * `db.insert(table).select(...)`: the rows as one JSON text (text parameters, so no driver JSON
 * serializer touches them; see recordsJson) instead of one parameter per value. Building a 4,000-row VALUES list
 * costs drizzle about a second of CPU and can overrun Postgres' 65,535 parameters; this costs
 * milliseconds. (One text[] per column costs Postgres about as much, but postgres.js escapes
 * array elements in JavaScript, 8x slower than one native JSON.stringify.) Columns no row sets
 * take their default.
 *
 * `shared`: values of every row (e.g. `{ createdAt: now, updatedAt: now }`), sent once. Callers pass
 * them here rather than copying each row with `{ ...row, createdAt: now }`: V8 (Node 20) builds an
 * object spread followed by more properties in its slow path, 1.6 µs a row against 0.02 µs for a
 * literal, which was 30 ms of an ingest batch's 200 (bench/PROFILE.md, session 10).
 */
export function unnestRows<T extends PgTable>(
  table: T,
  rows: readonly T['$inferInsert'][],
  shared: Partial<T['$inferInsert']> = {},
): SQL {
  const columns = Object.entries(getTableColumns(table) as Record<string, PgColumn>).filter(
    // Generated columns cannot be inserted (drizzle leaves them out of the column list too).
    ([, c]) => !c.generated && c.generatedIdentity?.type !== 'always',
  );
  const sharedValues = shared as Record<string, unknown>;
  const given = columns.filter(
    ([key]) =>
      sharedValues[key] !== undefined || rows.some((r) => (r as Record<string, unknown>)[key] !== undefined),
  );
  // JSON documents travel as nested JSON, not as JSON strings inside the JSON: no stringify per
  // document and no escaping here. Postgres spends a little more extracting them than it would
  // de-escaping strings, less than Node saves (bench/PROFILE.md, session 8).
  const nested = given.map(([, column]) => recordsetType(column) === 'json');
  const values = given.map(([key, column], i): unknown[] => {
    if (sharedValues[key] !== undefined) return [asText(column, sharedValues[key])];
    if (nested[i]) return rows.map((r) => (r as Record<string, unknown>)[key] ?? null);
    // A batch stamps most rows with the same instant: each distinct Date object is formatted once.
    let lastDate: Date | undefined;
    let lastText: string | null = null;
    return rows.map((r) => {
      const value = (r as Record<string, unknown>)[key];
      if (!(value instanceof Date)) return asText(column, value);
      if (value !== lastDate) {
        lastDate = value;
        lastText = asText(column, value);
      }
      return lastText;
    });
  });
  // A column with one value for every row (timestamps, actor, origin) travels once, not per row;
  // the recordset still needs one column, so the first column rows set themselves stays one.
  const isShared = given.map(([key]) => sharedValues[key] !== undefined);
  let perRow = isShared.indexOf(false);
  if (perRow < 0) {
    // Every value is shared: the first column travels per row after all.
    const value = nested[0] ? sharedValues[given[0]![0]] : values[0]![0];
    values[0] = rows.map(() => value);
    isShared[0] = false;
    perRow = 0;
  }
  const constant = values.map(
    (t, i) => i !== perRow && (isShared[i]! || (!nested[i] && rows.length > 1 && t.every((v) => v === t[0]))),
  );
  const varying = values.flatMap((_, i) => (constant[i] ? [] : [i]));
  const aliases = varying.map((i) => `c${i}`);
  const records = rows.map((_, r) => {
    const record: Record<string, unknown> = {};
    for (let k = 0; k < varying.length; k += 1) record[aliases[k]!] = values[varying[k]!]![r];
    return record;
  });
  const select = columns.map(([key, column]) => {
    const i = given.findIndex(([k]) => k === key);
    if (i < 0) return defaultOf(table, column);
    const type = sql.raw(castType(column));
    // A constant is cast once, as an init plan; a cast in the select list would run for every row.
    const field = sql`u.${sql.identifier(`c${i}`)}`;
    const value = constant[i]
      ? sql`(select ${sql.param(values[i]![0] as string | null)}::text::${type})`
      : nested[i]
        ? sql`${field}::${type}`
        : field;
    return column.default === undefined ? value : sql`coalesce(${value}, ${defaultOf(table, column)})`;
  });
  const definitions = varying.map((i) => `c${i} ${recordsetType(given[i]![1])}`).join(', ');
  return sql`select ${sql.join(select, sql`, `)} from json_to_recordset(${recordsJson(records)}::json) as u(${sql.raw(definitions)})`;
}

/** Characters per JSON parameter: under V8's 128 KB large-object threshold (one-byte strings). */
const MAX_PARAM_CHARS = 100_000;

/**
 * The records as one JSON array, sent as text parameters of at most MAX_PARAM_CHARS each that
 * Postgres concatenates. V8 gives every string over 128 KB a chunk of memory of its own and
 * returns it at GC, so a 600 KB parameter faults its pages in afresh each batch: flattening the
 * rope `JSON.stringify` returns cost 2.4 ms per 300 KB here, about 12 ms per ingest batch
 * (bench/PROFILE.md, session 9). Strings under the threshold live in pages V8 reuses.
 */
function recordsJson(records: readonly Record<string, unknown>[]): SQL {
  const FIRST_PART_ROWS = 50;
  const first = JSON.stringify(records.slice(0, FIRST_PART_ROWS));
  if (records.length <= FIRST_PART_ROWS) return sql`${sql.param(first)}::text`;
  // The other parts sized from the first part's rows, with room for longer rows further on.
  const rowsPerPart = Math.max(1, Math.floor((MAX_PARAM_CHARS * FIRST_PART_ROWS) / first.length / 2));
  const texts = [first];
  for (let i = FIRST_PART_ROWS; i < records.length; i += rowsPerPart)
    texts.push(JSON.stringify(records.slice(i, i + rowsPerPart)));
  // Each part without its brackets; the SQL puts them and the commas between parts back.
  const parts = texts.map((text) => sql`${sql.param(text.slice(1, -1))}::text`);
  return sql`('[' || ${sql.join(parts, sql` || ',' || `)} || ']')`;
}

/**
 * The recordset's columns carry the table's types, so each value is parsed straight into its type
 * without a text datum and a cast in between (a fifth less Postgres time for the customers,
 * consents and consent-history inserts of an ingest batch). JSON documents arrive as json and are
 * cast from json: a jsonb recordset column costs Postgres twice as much (measured on 50,000 payloads).
 */
function recordsetType(column: PgColumn): string {
  const type = castType(column);
  return type === 'jsonb' ? 'json' : type;
}

/**
 * Writes rows in at most two statements: those the caller knows to be new (e.g. customers created
 * in its transaction) as a plain insert, which skips the arbiter-index probe and speculative
 * insertion an ON CONFLICT costs per row (a third of a 2,700-row identities upsert's Postgres
 * time), and the rest through `upsert`, given their recordset.
 */
export async function insertRows<T extends PgTable, R extends T['$inferInsert']>(
  db: Db,
  table: T,
  rows: readonly R[],
  isNew: ((row: R) => boolean) | undefined,
  upsert: (rest: SQL) => Promise<unknown>,
  shared: Partial<T['$inferInsert']> = {},
): Promise<void> {
  const fresh = isNew ? rows.filter(isNew) : [];
  const rest = isNew ? rows.filter((row) => !isNew(row)) : rows;
  if (fresh.length > 0) await db.insert(table).select(unnestRows(table, fresh, shared));
  if (rest.length > 0) await upsert(unnestRows(table, rest, shared));
}
