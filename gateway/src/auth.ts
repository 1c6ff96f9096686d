import { dealerRoles, type Role, roles, VerifiedViewerCache, type Viewer } from '@cx/platform/auth';
import { createRemoteJWKSet, type JWTPayload, type JWTVerifyGetKey, jwtVerify, SignJWT } from 'jose';

export interface JwtConfig {
  /** HS256 shared secret (development). */
  secret?: string;
  /** JWKS endpoint (production; RS256/ES256). */
  jwksUrl?: string;
  issuer: string;
  audience: string;
}

/** Why a token was refused; the message is safe to show the caller. */
export class AuthError extends Error {}

export const PII_SCOPE = 'pii:read';

function viewerFrom(payload: JWTPayload): Viewer {
  const role = payload.role;
  if (typeof role !== 'string' || !roles.includes(role as Role))
    throw new AuthError('token: role claim is missing or unknown');
  const dealer = typeof payload.dealer === 'string' && payload.dealer ? payload.dealer : undefined;
  if (dealerRoles.includes(role as Role) && !dealer)
    throw new AuthError(`token: role ${role} needs a dealer claim`);
  if (!payload.sub) throw new AuthError('token: sub claim is missing');
  const scope = typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [];
  // hq_admin holds the PII scope by role; a dealer only by an explicit grant in the token.
  const scopes = role === 'hq_admin' && !scope.includes(PII_SCOPE) ? [...scope, PII_SCOPE] : scope;
  return {
    sub: payload.sub,
    role: role as Role,
    dealer,
    consultant: typeof payload.consultant === 'string' ? payload.consultant : undefined,
    scopes,
  };
}

/** Verifies signature, expiry, issuer and audience, then maps the claims to a Viewer. */
export function createTokenVerifier(config: JwtConfig): (token: string) => Promise<Viewer> {
  const jwks: JWTVerifyGetKey | undefined = config.jwksUrl
    ? createRemoteJWKSet(new URL(config.jwksUrl))
    : undefined;
  const secret = config.secret ? new TextEncoder().encode(config.secret) : undefined;
  if (!jwks && !secret) throw new Error('JWT verification needs JWKS_URL or JWT_SECRET');
  // A dashboard or DMS client sends the same token thousands of times.
  const verified = new VerifiedViewerCache();
  return async (token) => {
    const cached = verified.get(token);
    if (cached) return cached;
    try {
      const options = {
        issuer: config.issuer,
        audience: config.audience,
        clockTolerance: clockToleranceSeconds,
      };
      const { payload } = jwks
        ? await jwtVerify(token, jwks, { ...options, algorithms: ['RS256', 'ES256'] })
        : await jwtVerify(token, secret!, { ...options, algorithms: ['HS256'] });
      const viewer = viewerFrom(payload);
      if (payload.exp) verified.set(token, viewer, (payload.exp + clockToleranceSeconds) * 1000);
      return viewer;
    } catch (error) {
      if (error instanceof AuthError) throw error;
      const code = (error as { code?: string }).code ?? 'ERR_JWT_INVALID';
      throw new AuthError(
        `token: ${code === 'ERR_JWT_EXPIRED' ? 'expired' : code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' ? (error as Error).message : 'invalid'}`,
      );
    }
  };
}

const clockToleranceSeconds = 5;

export interface DevTokenClaims {
  role: Role;
  sub?: string;
  dealer?: string;
  consultant?: string;
  scope?: string;
  /** Lifetime in seconds. */
  ttl?: number;
}

/** Mints an HS256 token for development and tests (`npm run token`). */
export async function mintDevToken(
  claims: DevTokenClaims,
  config: Required<Pick<JwtConfig, 'secret' | 'issuer' | 'audience'>>,
): Promise<string> {
  const payload: Record<string, string> = { role: claims.role };
  if (claims.dealer) payload.dealer = claims.dealer;
  if (claims.consultant) payload.consultant = claims.consultant;
  if (claims.scope) payload.scope = claims.scope;
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(claims.sub ?? `${claims.role}${claims.dealer ? `@${claims.dealer}` : ''}`)
    .setIssuer(config.issuer)
    .setAudience(config.audience)
    .setIssuedAt()
    .setExpirationTime(`${claims.ttl ?? 12 * 3600}s`)
    .sign(new TextEncoder().encode(config.secret));
}

export function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return match?.[1] ?? null;
}
