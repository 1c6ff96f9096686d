import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

export const roles = [
  'hq_admin',
  'hq_analyst',
  'dealer_manager',
  'sales_consultant',
  'service_advisor',
  'dms_integration',
] as const;
export type Role = (typeof roles)[number];

/** Roles that act for one dealer and therefore carry a dealer code. */
export const dealerRoles: readonly Role[] = [
  'dealer_manager',
  'sales_consultant',
  'service_advisor',
  'dms_integration',
];

/** The verified caller, as the gateway forwards it to the subgraphs. */
export const viewerSchema = z.object({
  sub: z.string().min(1),
  role: z.enum(roles),
  dealer: z.string().min(1).optional(),
  consultant: z.string().min(1).optional(),
  scopes: z.array(z.string()).default([]),
});
export type Viewer = z.infer<typeof viewerSchema>;

export const INTERNAL_AUTH_HEADER = 'x-cx-internal-auth';
/** Short-lived: a captured header is useless a minute later. */
export const INTERNAL_AUTH_TTL_SECONDS = 60;

const envelopeSchema = z.object({ v: viewerSchema, exp: z.number().int() });

function mac(secret: string, body: string): string {
  return createHmac('sha256', secret).update(body).digest('base64url');
}

/** `<base64url(json)>.<hmac>`: the gateway signs the verified claims for the subgraphs. */
export function signInternalAuth(viewer: Viewer, secret: string, now = Date.now()): string {
  const body = Buffer.from(
    JSON.stringify({ v: viewer, exp: Math.floor(now / 1000) + INTERNAL_AUTH_TTL_SECONDS }),
  ).toString('base64url');
  return `${body}.${mac(secret, body)}`;
}

function verifyEnvelope(
  header: string | undefined,
  secret: string,
  now: number,
): { v: Viewer; exp: number } | null {
  if (!header) return null;
  const [body, signature] = header.split('.');
  if (!body || !signature) return null;
  const expected = Buffer.from(mac(secret, body));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  try {
    const parsed = envelopeSchema.safeParse(JSON.parse(Buffer.from(body, 'base64url').toString('utf8')));
    if (!parsed.success || parsed.data.exp < Math.floor(now / 1000)) return null;
    return parsed.data;
  } catch {
    return null;
  }
}

export function verifyInternalAuth(
  header: string | undefined,
  secret: string,
  now = Date.now(),
): Viewer | null {
  return verifyEnvelope(header, secret, now)?.v ?? null;
}

/**
 * Viewers of credentials (bearer tokens, internal headers) already verified, until they expire: a
 * caller sends the same credential many times and verifying it once is enough. Only successes go
 * in, the size is bounded (oldest out first), and a hit at or past its expiry counts as a miss, so
 * expiry still bites.
 */
export class VerifiedViewerCache {
  private readonly entries = new Map<string, { viewer: Viewer; expiresAtMs: number }>();
  constructor(private readonly maxEntries = 10_000) {}

  get(credential: string, now = Date.now()): Viewer | undefined {
    const entry = this.entries.get(credential);
    if (!entry) return undefined;
    if (now >= entry.expiresAtMs) {
      this.entries.delete(credential);
      return undefined;
    }
    return entry.viewer;
  }

  set(credential: string, viewer: Viewer, expiresAtMs: number): void {
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(credential, { viewer, expiresAtMs });
  }
}

/**
 * verifyInternalAuth with the headers already verified kept until they expire: the gateway signs
 * one header per incoming request and sends it on each of that request's subgraph calls (8 for a
 * 360), so most calls repeat a header this process has seen. The viewer is frozen because
 * requests now share it.
 */
export class InternalAuthVerifier {
  private readonly verified: VerifiedViewerCache;
  constructor(
    private readonly secret: string,
    maxEntries = 10_000,
  ) {
    this.verified = new VerifiedViewerCache(maxEntries);
  }

  verify(header: string | undefined, now = Date.now()): Viewer | null {
    if (!header) return null;
    const hit = this.verified.get(header, now);
    if (hit) return hit;
    const envelope = verifyEnvelope(header, this.secret, now);
    if (!envelope) return null;
    const viewer = Object.freeze({ ...envelope.v, scopes: Object.freeze([...envelope.v.scopes]) }) as Viewer;
    // Valid through second `exp` (verifyEnvelope refuses only once that second has passed).
    this.verified.set(header, viewer, (envelope.exp + 1) * 1000);
    return viewer;
  }
}

export function isHq(viewer: Viewer): boolean {
  return viewer.role === 'hq_admin' || viewer.role === 'hq_analyst';
}

/** The dealer whose rows a viewer is limited to, or null for HQ roles that see everything. */
export function dealerScopeOf(viewer: Viewer): string | null {
  return isHq(viewer) ? null : (viewer.dealer ?? '__none__');
}
