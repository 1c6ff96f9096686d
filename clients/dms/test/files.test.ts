import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileFormatError, parseCsv } from '../src/csv.ts';
import { RowReader, toIsoInstant } from '../src/fields.ts';
import { readExport } from '../src/rows.ts';

describe('parseCsv', () => {
  it('reads quotes, escaped quotes, line breaks inside quotes, CRLF and a BOM, and keeps start lines', () => {
    const text = '\uFEFFa,b,c\r\n1,"x, ""y""",3\r\n\r\n4,"multi\nline",6\n7,,\n';
    expect(parseCsv(text, 'f.csv')).toEqual([
      { line: 1, cells: ['a', 'b', 'c'] },
      { line: 2, cells: ['1', 'x, "y"', '3'] },
      { line: 4, cells: ['4', 'multi\nline', '6'] },
      { line: 6, cells: ['7', '', ''] },
    ]);
  });

  it('names the line of a quote that is never closed', () => {
    expect(() => parseCsv('a,b\n1,"open\n2,3\n', 'f.csv')).toThrow(
      'f.csv: line 2: a quoted field is never closed',
    );
  });
});

describe('readExport', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'dms-files-'));
  const file = (name: string, text: string) => {
    const p = path.join(dir, name);
    writeFileSync(p, text);
    return p;
  };

  it('numbers CSV rows from 1 after the header, normalizes column names and flags short rows', async () => {
    const exported = await readExport(file('c.csv', 'External ID,mileage_km\nA-1,12\nA-2\n'));
    expect(exported.columns).toEqual(['externalid', 'mileagekm']);
    expect(exported.rows.map((r) => [r.row, r.line, r.values.get('externalid'), r.unreadable?.code])).toEqual(
      [
        [1, 2, 'A-1', undefined],
        [2, 3, 'A-2', 'COLUMN_COUNT'],
      ],
    );
  });

  it('reads a JSON array and flags items that are not objects', async () => {
    const exported = await readExport(file('r.json', '[{"externalId":"R-1"}, 7]'));
    expect(exported.rows.map((r) => [r.row, r.values.get('externalid'), r.unreadable?.code])).toEqual([
      [1, 'R-1', undefined],
      [2, undefined, 'NOT_AN_OBJECT'],
    ]);
  });

  it('refuses other file types and unreadable JSON by name', async () => {
    await expect(readExport(file('x.xlsx', ''))).rejects.toThrow(FileFormatError);
    await expect(readExport(file('bad.json', '{"a":'))).rejects.toThrow(/bad\.json: not valid JSON/);
    await expect(readExport(file('obj.json', '{"a":1}'))).rejects.toThrow('must hold a JSON array');
  });
});

describe('RowReader', () => {
  const reader = (values: Record<string, unknown>) => new RowReader(new Map(Object.entries(values)));

  it('converts typed values and reports each bad one with its field and code', () => {
    const r = reader({ mileagekm: '12k', quantity: 'x', verified: 'maybe', status: 'done', name: ' ' });
    expect(r.int('mileageKm')).toBeUndefined();
    expect(r.number('quantity')).toBeUndefined();
    expect(r.bool('verified')).toBeUndefined();
    expect(r.oneOf('status', { OPEN: true }, true)).toBeUndefined();
    expect(r.text('name', true)).toBeUndefined();
    expect(r.issues.map((i) => `${i.field} ${i.code}`)).toEqual([
      'mileageKm NOT_AN_INTEGER',
      'quantity NOT_A_NUMBER',
      'verified NOT_A_BOOLEAN',
      'status INVALID_ENUM',
      'name REQUIRED',
    ]);
  });

  it('refuses integers beyond GraphQL Int, which would fail the whole batch', () => {
    const r = reader({ km: '3000000000' });
    expect(r.int('km')).toBeUndefined();
    expect(r.issues[0]?.code).toBe('NOT_AN_INTEGER');
  });

  it('reads nested lists from JSON arrays and from compact CSV cells, prefixing their fields', () => {
    const csv = reader({ lines: 'LABOR|Oil change|1|380.00;PART|Filter' });
    const items = csv.list('lines', ['kind', 'description', 'quantity', 'unitPrice'], '|')!;
    expect(items).toHaveLength(1);
    expect(items[0]!.text('description')).toBe('Oil change');
    expect(csv.issues.map((i) => `${i.field} ${i.code}`)).toEqual(['lines[1] INVALID_LIST_ITEM']);

    const json = reader({ lines: [{ kind: 'PART', quantity: 'two' }] });
    const [line] = json.list('lines', ['kind', 'description', 'quantity', 'unitPrice'], '|')!;
    line!.number('quantity');
    expect(json.issues.map((i) => i.message)).toEqual(["lines[0].quantity: 'two' is not a number"]);
  });
});

describe('toIsoInstant', () => {
  it('reads zoned and zone-less date-times, the latter as China time', () => {
    expect(toIsoInstant('2025-03-02 09:11')).toBe('2025-03-02T01:11:00.000Z');
    expect(toIsoInstant('2025-03-02')).toBe('2025-03-01T16:00:00.000Z');
    expect(toIsoInstant('2025-03-02T09:11:05.250Z')).toBe('2025-03-02T09:11:05.250Z');
    expect(toIsoInstant('2025-03-02T09:11:05+0100')).toBe('2025-03-02T08:11:05.000Z');
  });

  it('refuses dates that do not exist', () => {
    for (const v of ['2025-02-30', '2024-13-01', '2025-01-01 24:00', '03/02/2025', 'soon'])
      expect(toIsoInstant(v)).toBeUndefined();
    expect(toIsoInstant('2024-02-29')).toBeDefined();
  });
});
