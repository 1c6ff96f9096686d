import { contentHash, createPiiCipher } from '@cx/platform';
import { describe, expect, it } from 'vitest';
import { type CustomerRecordInput, normalizeRecord, payloadHashOf } from '../src/ingest/normalize.ts';
import { nationalIdNo } from './operations.ts';

const pii = createPiiCipher('test-only-pii-secret-0123456789');
const now = new Date('2026-11-01T00:00:00Z');

describe('payload hash', () => {
  it('is the generic content hash of the stored payload and observation time, so stored hashes stay valid', () => {
    const inputs: CustomerRecordInput[] = [
      {
        source: 'DMS',
        externalId: 'D-1',
        name: 'Wang "Xiao" \\ Li',
        phone: '13912345678',
        phoneVerified: true,
      },
      {
        source: 'APP',
        externalId: 'A-1',
        name: '王小明',
        nationalId: nationalIdNo(17),
        email: 'X@Example.com',
        city: 'Shanghai',
        province: 'Shanghai',
        observedAt: new Date('2026-10-01T08:00:00Z'),
        consents: [
          { purpose: 'MARKETING_SMS', granted: true },
          { purpose: 'DATA_SHARING_DEALER', granted: false },
        ],
      },
    ];
    for (const [index, input] of inputs.entries()) {
      const result = normalizeRecord(input, index, pii, now);
      if (!('record' in result)) throw new Error(JSON.stringify(result.errors));
      const { nationalIdCipher: _cipher, ...hashed } = result.record.payload;
      const observedAt = input.observedAt?.toISOString() ?? null;
      expect(result.record.payloadHash).toBe(contentHash({ ...hashed, observedAt }));
      expect(payloadHashOf(hashed, observedAt)).toBe(contentHash({ ...hashed, observedAt }));
    }
  });
});
