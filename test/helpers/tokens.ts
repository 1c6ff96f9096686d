import { type DevTokenClaims, mintDevToken } from '@cx/gateway/auth';

/** The JWT settings every test stack's gateway trusts. */
export const testJwt = {
  secret: 'test-only-jwt-secret-0123456789abcdef',
  issuer: 'https://auth.cx.test',
  audience: 'cx-supergraph-test',
} as const;

export const testInternalAuthSecret = 'test-only-internal-auth-secret-0123456789';

/** A bearer header for a role, e.g. `await authHeader({ role: 'dealer_manager', dealer: 'BJ001' })`. */
export async function authHeader(claims: DevTokenClaims): Promise<{ authorization: string }> {
  return { authorization: `Bearer ${await mintDevToken(claims, testJwt)}` };
}

export function testToken(claims: DevTokenClaims): Promise<string> {
  return mintDevToken(claims, testJwt);
}
