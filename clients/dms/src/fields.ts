import { columnKey } from './rows.ts';

/** Why one field of a row cannot be sent; codes of this kit are listed in GUIDE.md. */
export interface FieldIssue {
  field: string;
  code: string;
  message: string;
}

const INT_MAX = 2_147_483_647;
const dateTimePattern =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;
const truthy = new Set(['true', '1', 'yes', 'y']);
const falsy = new Set(['false', '0', 'no', 'n']);

/**
 * Reads typed values out of a row and collects what is wrong with them. GraphQL refuses a whole
 * request over one badly typed variable, so every value is checked here before it is sent.
 */
export class RowReader {
  constructor(
    private readonly values: Map<string, unknown>,
    /** Shared with nested readers, so a line's issue lands on its row. */
    readonly issues: FieldIssue[] = [],
    private readonly prefix = '',
  ) {}

  fail(field: string, code: string, message: string): void {
    const name = `${this.prefix}${field}`;
    this.issues.push({ field: name, code, message: `${name}: ${message}` });
  }

  /** Missing, null and blank are all "absent". */
  private raw(field: string, required: boolean): unknown {
    const v = this.values.get(columnKey(field));
    const absent = v === null || v === undefined || (typeof v === 'string' && v.trim() === '');
    if (absent && required) this.fail(field, 'REQUIRED', 'must not be empty');
    return absent ? undefined : v;
  }

  /**
   * A nested list, e.g. repair-order lines: a JSON array of objects, or in a CSV cell items
   * separated by `;` whose parts, separated by `separator`, come in the order of `parts`.
   */
  list(field: string, parts: string[], separator: string): RowReader[] | undefined {
    const v = this.raw(field, false);
    if (v === undefined) return undefined;
    const entries = (item: unknown): [string, unknown][] =>
      item !== null && typeof item === 'object' ? Object.entries(item) : [];
    const items: (Map<string, unknown> | undefined)[] | undefined = Array.isArray(v)
      ? v.map((item: unknown) => new Map(entries(item).map(([k, x]) => [columnKey(k), x])))
      : typeof v === 'string'
        ? v
            .split(';')
            .filter((s) => s.trim())
            .map((s) => s.split(separator).map((c) => c.trim()))
            .map((cells) =>
              cells.length === parts.length
                ? new Map(parts.map((p, i) => [columnKey(p), cells[i]]))
                : undefined,
            )
        : undefined;
    if (!items) {
      this.fail(field, 'INVALID_LIST', 'must be a list');
      return undefined;
    }
    return items.flatMap((item, i) => {
      if (item) return [new RowReader(item, this.issues, `${this.prefix}${field}[${i}].`)];
      this.fail(`${field}[${i}]`, 'INVALID_LIST_ITEM', `must read ${parts.join(separator)}`);
      return [];
    });
  }

  text(field: string, required = false): string | undefined {
    const v = this.raw(field, required);
    if (v === undefined) return undefined;
    if (typeof v === 'string') return v.trim();
    if (typeof v === 'number') return String(v);
    this.fail(field, 'NOT_TEXT', 'must be text');
    return undefined;
  }

  int(field: string, required = false): number | undefined {
    const v = this.raw(field, required);
    if (v === undefined) return undefined;
    const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : NaN;
    if (Number.isInteger(n) && Math.abs(n) <= INT_MAX) return n;
    this.fail(field, 'NOT_AN_INTEGER', `'${String(v)}' is not a whole number`);
    return undefined;
  }

  number(field: string, required = false): number | undefined {
    const v = this.raw(field, required);
    if (v === undefined) return undefined;
    const n =
      typeof v === 'number' ? v : typeof v === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(v) ? Number(v) : NaN;
    if (Number.isFinite(n)) return n;
    this.fail(field, 'NOT_A_NUMBER', `'${String(v)}' is not a number`);
    return undefined;
  }

  bool(field: string): boolean | undefined {
    const v = this.raw(field, false);
    if (v === undefined || typeof v === 'boolean') return v;
    const s = String(v).trim().toLowerCase();
    if (truthy.has(s)) return true;
    if (falsy.has(s)) return false;
    this.fail(field, 'NOT_A_BOOLEAN', `'${String(v)}' is not one of true/false, yes/no, 1/0`);
    return undefined;
  }

  /** ISO 8601; a date or time without a zone is China time (+08:00), as DMS exports write it. */
  dateTime(field: string, required = false): string | undefined {
    const v = this.raw(field, required);
    if (v === undefined) return undefined;
    const iso = typeof v === 'string' ? toIsoInstant(v.trim()) : undefined;
    if (iso) return iso;
    this.fail(
      field,
      'INVALID_DATETIME',
      `'${String(v)}' is not a real date-time (e.g. 2026-03-01 09:30 or 2026-03-01T01:30:00Z)`,
    );
    return undefined;
  }

  oneOf<T extends string>(field: string, allowed: Record<T, true>, required = false): T | undefined {
    const v = this.raw(field, required);
    if (v === undefined) return undefined;
    const s = String(v).trim().toUpperCase();
    if (Object.hasOwn(allowed, s)) return s as T;
    this.fail(field, 'INVALID_ENUM', `'${String(v)}' is not one of ${Object.keys(allowed).join(', ')}`);
    return undefined;
  }
}

export function toIsoInstant(value: string): string | undefined {
  const m = dateTimePattern.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, hh = '00', mi = '00', ss = '00', frac = '', zone] = m;
  const daysInMonth = new Date(Date.UTC(Number(y), Number(mo), 0)).getUTCDate();
  if (Number(mo) < 1 || Number(mo) > 12 || Number(d) < 1 || Number(d) > daysInMonth) return undefined;
  if (Number(hh) > 23 || Number(mi) > 59 || Number(ss) > 59) return undefined;
  const offset = !zone
    ? '+08:00'
    : zone.toUpperCase() === 'Z'
      ? 'Z'
      : `${zone.slice(0, 3)}:${zone.slice(-2)}`;
  const date = new Date(`${y}-${mo}-${d}T${hh}:${mi}:${ss}${frac.slice(0, 4)}${offset}`);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}
