import { describe, expect, it } from 'vitest';
import { Random } from '../src/random.ts';

/** The original uuid(): the generated dataset must not change when uuid() gets faster. */
function referenceUuid(rnd: Random): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(rnd.next() * 16).toString(16));
  hex[12] = '4';
  hex[16] = ((Math.floor(rnd.next() * 4) & 0x3) | 0x8).toString(16);
  const s = hex.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

describe('Random.uuid', () => {
  it('draws the same ids, and leaves the generator in the same state, as the original', () => {
    for (let seed = 0; seed < 2000; seed += 1) {
      const fast = new Random(seed * 7919);
      const reference = new Random(seed * 7919);
      for (let k = 0; k < 3; k += 1) {
        expect(fast.uuid()).toBe(referenceUuid(reference));
        expect(fast.next()).toBe(reference.next());
      }
    }
  });

  it('is shaped like a version 4 UUID', () => {
    const rnd = new Random(42);
    for (let i = 0; i < 100; i += 1)
      expect(rnd.uuid()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
