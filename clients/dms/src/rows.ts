import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { FileFormatError, parseCsv } from './csv.ts';

/**
 * One record of an export file. `row` counts records from 1 (the header is not a record);
 * `line` is where a CSV record starts (the header is line 1). Keys are normalized column names.
 */
export interface SourceRow {
  row: number;
  line?: number;
  values: Map<string, unknown>;
  /** Set when the record cannot be read at all (wrong cell count, not an object). */
  unreadable?: { code: string; message: string };
}

/** external_id, externalId and "External ID" are one column. */
export const columnKey = (name: string) => name.toLowerCase().replace(/[\s_-]/g, '');

export interface ExportFile {
  rows: SourceRow[];
  /** The CSV header's columns, normalized; JSON records name their fields one by one. */
  columns?: string[];
}

function csvRows(text: string, file: string): ExportFile {
  const [header, ...records] = parseCsv(text, file);
  if (!header) return { rows: [], columns: [] };
  const keys = header.cells.map(columnKey);
  const rows = records.map((r, i) => ({
    row: i + 1,
    line: r.line,
    values: new Map(keys.map((k, c) => [k, r.cells[c]])),
    ...(r.cells.length !== keys.length
      ? {
          unreadable: {
            code: 'COLUMN_COUNT',
            message: `has ${r.cells.length} cells, the header has ${keys.length}`,
          },
        }
      : {}),
  }));
  return { rows, columns: keys };
}

function jsonRows(text: string, file: string): ExportFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new FileFormatError(`${file}: not valid JSON (${(error as Error).message})`);
  }
  if (!Array.isArray(parsed)) throw new FileFormatError(`${file}: must hold a JSON array of records`);
  const rows = parsed.map(
    (item: unknown, i): SourceRow =>
      item !== null && typeof item === 'object' && !Array.isArray(item)
        ? { row: i + 1, values: new Map(Object.entries(item).map(([k, v]) => [columnKey(k), v])) }
        : {
            row: i + 1,
            values: new Map(),
            unreadable: { code: 'NOT_AN_OBJECT', message: 'is not a JSON object' },
          },
  );
  return { rows };
}

/** Reads a .csv or .json export into rows; anything else is refused by name. */
export async function readExport(file: string): Promise<ExportFile> {
  const ext = path.extname(file).toLowerCase();
  if (ext !== '.csv' && ext !== '.json')
    throw new FileFormatError(`${file}: unsupported file type '${ext}' (use .csv or .json)`);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new FileFormatError(`${file}: cannot be read (${(error as NodeJS.ErrnoException).code})`);
  }
  return ext === '.csv' ? csvRows(text, file) : jsonRows(text, file);
}
