import { type ChildProcess, spawn } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { signInternalAuth } from '@cx/platform/auth';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../scripts/lib/composition.ts';
import { eventually } from '../helpers/eventually.ts';
import { freePort } from '../helpers/reliability.ts';
import { createTestDatabase, type TestDatabase, testDatabaseUrl } from '../helpers/testDatabase.ts';
import { testInternalAuthSecret } from '../helpers/tokens.ts';

// A standalone subgraph on PGlite would cold-start its own embedded database (seconds, 0.7 GB): Postgres only.
if (!testDatabaseUrl) console.warn('processShutdown: skipped on PGlite (set TEST_DATABASE_URL)');

describe.skipIf(!testDatabaseUrl)('SIGTERM to a standalone subgraph process (real Postgres)', () => {
  let database: TestDatabase;
  let child: ChildProcess;
  let url: string;
  let output = '';

  beforeAll(async () => {
    database = await createTestDatabase('rel_sigterm');
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    child = spawn(process.execPath, ['--import', 'tsx', 'subgraphs/vehicle/src/main.ts'], {
      cwd: repoRoot,
      env: {
        ...process.env,
        VEHICLE_DATABASE_URL: database.url,
        VEHICLE_PORT: String(port),
        INTERNAL_AUTH_SECRET: testInternalAuthSecret,
        NODE_ENV: 'test',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-4000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    await eventually(async () => {
      expect(child.exitCode, output).toBeNull();
      const res = await request(`${url}/readyz`);
      await res.body.dump();
      expect(res.statusCode).toBe(200);
    }, 120_000);
  });

  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await database?.drop();
  });

  it('finishes the request in flight, does not wait for idle keep-alive sockets, and exits 0 promptly', async () => {
    const keepAlive = new Agent({ keepAliveTimeout: 120_000, keepAliveMaxTimeout: 120_000 });
    const idle = await request(`${url}/healthz`, { dispatcher: keepAlive });
    await idle.body.dump();

    // A GraphQL call whose body is half sent when the signal arrives.
    const body = JSON.stringify({ query: '{ __typename }' });
    const auth = signInternalAuth({ sub: 'test', role: 'hq_analyst', scopes: [] }, testInternalAuthSecret);
    let sendRest = () => {};
    const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = httpRequest(
        `${url}/graphql`,
        {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            'x-cx-internal-auth': auth,
          },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => {
            text += c;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on('error', reject);
      req.write(body.slice(0, 5));
      sendRest = () => req.end(body.slice(5));
    });
    await new Promise((r) => setTimeout(r, 300));

    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const started = performance.now();
    child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    sendRest();

    const res = await answer;
    expect(res.status, res.text).toBe(200);
    expect(JSON.parse(res.text)).toEqual({ data: { __typename: 'Query' } });
    const code = await exited;
    const ms = performance.now() - started;
    console.log(`subgraph process: SIGTERM to exit ${Math.round(ms)} ms (exit code ${code})`);
    expect(code, output).toBe(0);
    expect(ms).toBeLessThan(15_000);
    expect(output).toContain('shutting down');
    await keepAlive.close();
  });
});
