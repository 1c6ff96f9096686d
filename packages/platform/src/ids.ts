import { randomFillSync } from 'node:crypto';
import { badInput } from './errors.ts';

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return uuidPattern.test(value);
}

/** Entity ids are UUIDs; anything else is rejected before it reaches SQL. */
export function assertUuid(value: string, field: string, entity: string): string {
  if (!uuidPattern.test(value)) throw badInput(field, `is not a ${entity} id`, 'INVALID_ID');
  return value.toLowerCase();
}

const entropy = Buffer.alloc(4096);
let entropyAt = entropy.length;

/**
 * A version 7 UUID (RFC 9562): 48 bits of Unix milliseconds, then 74 random bits. Ids minted
 * one after another sort by time, so a row keyed by one lands at the right edge of each index
 * that leads with it instead of on a random page: what tens of millions of customers need from
 * the indexes of every table keyed by customer.
 */
export function uuidv7(now: number = Date.now()): string {
  if (entropyAt + 10 > entropy.length) {
    randomFillSync(entropy);
    entropyAt = 0;
  }
  const bytes = Buffer.allocUnsafe(16);
  bytes.writeUIntBE(now, 0, 6);
  entropy.copy(bytes, 6, entropyAt, entropyAt + 10);
  entropyAt += 10;
  bytes[6] = (bytes[6]! & 0x0f) | 0x70;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
