import { createHash, randomBytes } from 'node:crypto';

/** 256 random bits: unguessable, so a token is the only credential a response needs. */
const TOKEN_BYTES = 32;
const tokenShape = /^[A-Za-z0-9_-]{43}$/;

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function newToken(): { token: string; hash: string } {
  const token = randomBytes(TOKEN_BYTES).toString('base64url');
  return { token, hash: hashToken(token) };
}

/** Rejects anything that cannot be a token before it reaches the database. */
export function isTokenShaped(token: string): boolean {
  return tokenShape.test(token);
}
