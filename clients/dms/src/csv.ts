import { UsageError } from '@cx/web';

/** A CSV record and the physical line it starts on (header = line 1), for the rejection report. */
export interface CsvRecord {
  line: number;
  cells: string[];
}

/** An export file that cannot be read as a whole; the CLI exits with 2 like on other usage errors. */
export class FileFormatError extends UsageError {
  override name = 'FileFormatError';
}

/**
 * RFC 4180 CSV: comma-separated, double-quoted fields with "" escapes and line breaks inside
 * quotes, LF or CRLF endings, an optional UTF-8 BOM (Excel writes one). Blank lines are skipped.
 */
export function parseCsv(text: string, file: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const endRecord = () => {
    cells.push(cell);
    if (cells.length > 1 || cells[0] !== '') records.push({ line: recordLine, cells });
    cells = [];
    cell = '';
  };
  for (; i < text.length; i += 1) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 1;
      } else if (ch === '"') quoted = false;
      else {
        if (ch === '\n') line += 1;
        cell += ch;
      }
    } else if (ch === '"' && cell === '') quoted = true;
    else if (ch === ',') {
      cells.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i += 1;
      endRecord();
      line += 1;
      recordLine = line;
    } else cell += ch;
  }
  if (quoted) throw new FileFormatError(`${file}: line ${recordLine}: a quoted field is never closed`);
  if (cell !== '' || cells.length > 0) endRecord();
  return records;
}
