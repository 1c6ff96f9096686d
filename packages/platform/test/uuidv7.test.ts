import { describe, expect, it } from 'vitest';
import { isUuid, uuidv7 } from '../src/ids.ts';

describe('uuidv7', () => {
  it('is a version 7, RFC 9562 variant UUID carrying the given millisecond', () => {
    const at = Date.UTC(2026, 10, 24, 3, 45, 12, 345);
    const id = uuidv7(at);
    expect(isUuid(id)).toBe(true);
    expect(id[14]).toBe('7');
    expect('89ab').toContain(id[19]);
    expect(Number.parseInt(id.replaceAll('-', '').slice(0, 12), 16)).toBe(at);
  });

  it('sorts by time across milliseconds and stays unique within one', () => {
    const at = Date.now();
    const ids = Array.from({ length: 20_000 }, (_, i) => uuidv7(at + Math.floor(i / 1000)));
    expect(new Set(ids).size).toBe(ids.length);
    for (let i = 1000; i < ids.length; i += 1000) expect(ids[i - 1]! < ids[i]!).toBe(true);
  });
});
