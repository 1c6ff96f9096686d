import { createCipheriv, createDecipheriv, createHash, createHmac, randomFillSync } from 'node:crypto';

/**
 * National ID numbers are sensitive under PIPL art. 28: encrypted at rest (AES-256-GCM) and
 * matched by a keyed hash, so equality lookups never need the clear value.
 */
export interface PiiCipher {
  encrypt(plain: string): string;
  decrypt(cipherText: string): string;
  keyedHash(value: string): string;
}

function deriveKey(secret: string, purpose: string): Buffer {
  return createHash('sha256').update(`${purpose}:${secret}`).digest();
}

const IV_BYTES = 12;
const IVS_PER_FILL = 256;

/**
 * Random 96-bit IVs, drawn from the CSPRNG 256 at a time: one randomFillSync per 256 encryptions
 * instead of one randomBytes each (an ingest batch encrypts up to 1,000 IDs). Every IV is handed
 * out once; a view stays valid only until the next call, which encrypt's synchronous use allows.
 */
function ivSource(): () => Buffer {
  const pool = Buffer.alloc(IV_BYTES * IVS_PER_FILL);
  let offset = pool.length;
  return () => {
    if (offset === pool.length) {
      randomFillSync(pool);
      offset = 0;
    }
    offset += IV_BYTES;
    return pool.subarray(offset - IV_BYTES, offset);
  };
}

export function createPiiCipher(secret: string): PiiCipher {
  const encKey = deriveKey(secret, 'encrypt');
  const macKey = deriveKey(secret, 'hash');
  const nextIv = ivSource();
  return {
    encrypt(plain) {
      const iv = nextIv();
      const cipher = createCipheriv('aes-256-gcm', encKey, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
    },
    decrypt(cipherText) {
      const raw = Buffer.from(cipherText, 'base64');
      const decipher = createDecipheriv('aes-256-gcm', encKey, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    },
    keyedHash(value) {
      return createHmac('sha256', macKey).update(value).digest('base64url');
    },
  };
}

/** A stable content hash for idempotency checks: same payload, same hash, whatever the key order. */
export function contentHash(value: unknown): string {
  return createHash('sha256').update(stableStringify(value)).digest('base64url');
}

function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : 1));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
}
