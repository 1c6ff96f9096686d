const HEX = '0123456789abcdef';
/** mulberry32: a tiny deterministic PRNG, so the same seed always yields the same dataset. */
export class Random {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  digits(n: number): string {
    let s = '';
    for (let i = 0; i < n; i += 1) s += String(this.int(0, 9));
    return s;
  }
  /** A version-4-shaped UUID drawn from the PRNG, so ids are stable across runs. */
  uuid(): string {
    // 32 nibble draws (the 13th and 17th are overwritten), then one for the variant: the same
    // draws, in the same order, as ever; built by concatenation because a 1M seed draws ~10^7.
    let head = '';
    for (let i = 0; i < 16; i += 1) {
      const nibble = HEX[Math.floor(this.next() * 16)]!;
      head += i === 12 ? '4' : nibble;
    }
    this.next();
    let tail = '';
    for (let i = 17; i < 32; i += 1) tail += HEX[Math.floor(this.next() * 16)]!;
    const variant = HEX[(Math.floor(this.next() * 4) & 0x3) | 0x8]!;
    return `${head.slice(0, 8)}-${head.slice(8, 12)}-${head.slice(12)}-${variant}${tail.slice(0, 3)}-${tail.slice(3)}`;
  }
  /** A date between `from` and `to`. */
  dateBetween(from: Date, to: Date): Date {
    return new Date(from.getTime() + Math.floor(this.next() * (to.getTime() - from.getTime())));
  }
}
