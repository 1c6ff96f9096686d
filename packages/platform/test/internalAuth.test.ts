import { describe, expect, it } from 'vitest';
import { InternalAuthVerifier, signInternalAuth, type Viewer } from '../src/auth.ts';

const secret = 'internal-auth-test-secret-0123456789';
const viewer: Viewer = { sub: 'u1', role: 'dealer_manager', dealer: 'D001', scopes: ['pii:read'] };

describe('InternalAuthVerifier', () => {
  it('answers a repeated header from its cache until exp, then refuses it', () => {
    const verifier = new InternalAuthVerifier(secret);
    const signedAt = Date.UTC(2026, 0, 1, 12, 0, 0);
    const header = signInternalAuth(viewer, secret, signedAt);
    const first = verifier.verify(header, signedAt);
    expect(first).toEqual(viewer);
    // The second call is a cache hit: the same frozen object.
    expect(verifier.verify(header, signedAt + 30_000)).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    // exp is signedAt + 60 s (whole seconds): valid through that second, refused after it.
    expect(verifier.verify(header, signedAt + 60_999)).toBe(first);
    expect(verifier.verify(header, signedAt + 61_000)).toBeNull();
    expect(verifier.verify(header, signedAt + 30_000)).toEqual(viewer);
  });

  it('refuses missing, forged and foreign-secret headers, and does not cache them', () => {
    const verifier = new InternalAuthVerifier(secret);
    const now = Date.now();
    const header = signInternalAuth(viewer, secret, now);
    const [body, signature] = header.split('.');
    const forgedBody = Buffer.from(
      JSON.stringify({ v: { ...viewer, role: 'hq_admin' }, exp: Math.floor(now / 1000) + 60 }),
    ).toString('base64url');
    expect(verifier.verify(undefined, now)).toBeNull();
    expect(verifier.verify(`${forgedBody}.${signature}`, now)).toBeNull();
    expect(verifier.verify(`${body}.${signature}x`, now)).toBeNull();
    expect(verifier.verify(signInternalAuth(viewer, 'another-secret-0123456789abcdef', now), now)).toBeNull();
    expect(verifier.verify(`${forgedBody}.${signature}`, now)).toBeNull();
    expect(verifier.verify(header, now)).toEqual(viewer);
  });

  it('keeps at most maxEntries headers, oldest out first', () => {
    const verifier = new InternalAuthVerifier(secret, 2);
    const now = Date.now();
    const headers = ['a', 'b', 'c'].map((sub) => signInternalAuth({ ...viewer, sub }, secret, now));
    const first = verifier.verify(headers[0], now);
    verifier.verify(headers[1], now);
    verifier.verify(headers[2], now);
    // Evicted: verified again, so a new (equal) object.
    const again = verifier.verify(headers[0], now);
    expect(again).toEqual(first);
    expect(again).not.toBe(first);
  });
});
