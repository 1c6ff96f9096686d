import { Kind, type OperationDefinitionNode, parse } from 'graphql';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { createTokenVerifier, mintDevToken } from '../src/auth.ts';
import { checkLimits, measureOperation } from '../src/limits.ts';
import { RateLimiter } from '../src/rateLimit.ts';

function shapeOf(query: string, variables: Record<string, unknown> = {}) {
  const doc = parse(query);
  const op = doc.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
  return measureOperation(doc, op, variables);
}

describe('query limits', () => {
  it('measures depth through fragments, aliases, and cost by list sizes', () => {
    const shape = shapeOf(
      `query($n: Int) { customer(id: "x") { ...F a: id b: id } } fragment F on Customer { leads(first: $n) { nodes { id customer { id } } } }`,
      { n: 20 },
    );
    expect(shape.depth).toBe(5);
    expect(shape.aliases).toBe(2);
    // customer 1 + a + b + leads 1 + nodes 20 + id 20 + customer 20 + id 20
    expect(shape.cost).toBe(1 + 2 + 1 + 20 + 20 + 20 + 20);
  });
  it('rejects depth, alias and cost bombs with QUERY_TOO_COMPLEX naming the limit', () => {
    const limits = { maxDepth: 6, maxAliases: 5, maxCost: 1000 };
    const deep = shapeOf(`{ a { b { c { d { e { f { g { h } } } } } } } }`);
    expect(checkLimits(deep, limits)?.extensions).toMatchObject({
      code: 'QUERY_TOO_COMPLEX',
      limit: 'depth',
    });
    const aliases = shapeOf(`{ ${Array.from({ length: 10 }, (_, i) => `a${i}: __typename`).join(' ')} }`);
    expect(checkLimits(aliases, limits)?.extensions).toMatchObject({
      code: 'QUERY_TOO_COMPLEX',
      limit: 'aliases',
    });
    const wide = shapeOf(`{ customers(first: 100) { nodes { leads(first: 100) { nodes { id } } } } }`);
    expect(checkLimits(wide, limits)?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'cost' });
    expect(checkLimits(shapeOf(`{ customer(id: "x") { id } }`), limits)).toBeNull();
  });
});

describe('JWT verification', () => {
  const config = { secret: 'test-secret-0123456789abcdef', issuer: 'https://auth.test', audience: 'cx' };
  const verify = createTokenVerifier(config);

  it('accepts a valid token and maps its claims', async () => {
    const token = await mintDevToken({ role: 'dealer_manager', dealer: 'BJ001' }, config);
    await expect(verify(token)).resolves.toMatchObject({
      role: 'dealer_manager',
      dealer: 'BJ001',
      scopes: [],
    });
    const admin = await mintDevToken({ role: 'hq_admin' }, config);
    await expect(verify(admin)).resolves.toMatchObject({ scopes: ['pii:read'] });
  });
  it('rejects tampered, expired, wrong-audience, wrong-issuer and incomplete tokens', async () => {
    const token = await mintDevToken({ role: 'hq_analyst' }, config);
    const [h, p, s] = token.split('.');
    const forged = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(p!, 'base64url').toString()), role: 'hq_admin' }),
    ).toString('base64url');
    await expect(verify(`${h}.${forged}.${s}`)).rejects.toThrow('token: invalid');
    const expired = await mintDevToken({ role: 'hq_analyst', ttl: -60 }, config);
    await expect(verify(expired)).rejects.toThrow('token: expired');
    const wrongAudience = await mintDevToken({ role: 'hq_analyst' }, { ...config, audience: 'other' });
    await expect(verify(wrongAudience)).rejects.toThrow(/aud/);
    const wrongIssuer = await mintDevToken({ role: 'hq_analyst' }, { ...config, issuer: 'https://evil' });
    await expect(verify(wrongIssuer)).rejects.toThrow(/iss/);
    const noDealer = await mintDevToken({ role: 'dealer_manager' }, config);
    await expect(verify(noDealer)).rejects.toThrow('needs a dealer claim');
    const wrongKey = await new SignJWT({ role: 'hq_admin' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('x')
      .setIssuer(config.issuer)
      .setAudience(config.audience)
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('another-secret-0123456789abcdef'));
    await expect(verify(wrongKey)).rejects.toThrow('token: invalid');
  });
});

describe('rate limiter', () => {
  it('allows the per-minute budget, then asks to wait, and refills over time', () => {
    let now = 0;
    const limiter = new RateLimiter(3, () => now);
    expect([limiter.take('a'), limiter.take('a'), limiter.take('a')]).toEqual([0, 0, 0]);
    expect(limiter.take('a')).toBeGreaterThan(0);
    expect(limiter.take('b')).toBe(0);
    now += 20_000;
    expect(limiter.take('a')).toBe(0);
  });
});
