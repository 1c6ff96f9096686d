// postinstall: fixes postgres.js 3.4.9's write scheduler, which breaks when Postgres restarts
// (porsager/postgres#1154, #1208; fix proposed in PR #1209, unreleased as of 3.4.9):
// - a small write is deferred with setImmediate; if the socket closes first, the deferred write
//   dereferences a null socket and throws an uncaught TypeError that kills the process;
// - the teardown paths cancel that immediate without resetting its handle, so the connection
//   never schedules a write again and every later query on it hangs (a 30 s stall in our
//   Postgres-restart test, until the gateway's subgraph timeout).
// - `max_pipeline: 0` (no pipelining, which PgBouncer 1.18 in transaction mode needs: see
//   packages/platform/src/db.ts) skips the `onexecute` hook that `sql.begin` relies on, so every
//   transaction fails with UNSAFE_TRANSACTION; the hook now runs before the pipeline check.
// Idempotent, one replacement at a time; test/reliability/postgresRestart.test.ts and the
// PgBouncer run of test/reliability/gatewayRestart.test.ts cover the behaviour.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
// The package exports no package.json; its CommonJS entry is cjs/src/index.js.
const root = path.resolve(path.dirname(require.resolve('postgres')), '..', '..');
const marker = '/* cx: write-scheduler patch */';
const pipelineMarker = '/* cx: onexecute before the pipeline check */';

const replacements = [
  [
    '  function nextWrite(fn) {\n    const x = socket.write(chunk, fn)',
    `  function nextWrite(fn) {\n    ${marker}\n    if (!socket) {\n      nextWriteTimer !== null && clearImmediate(nextWriteTimer)\n      chunk = nextWriteTimer = null\n      error(Errors.connection('CONNECTION_CLOSED', options))\n      return false\n    }\n    const x = socket.write(chunk, fn)`,
  ],
  // terminate() and closed(): cancel the deferred write and forget it, so the next one is scheduled.
  [
    '    clearImmediate(nextWriteTimer)\n',
    '    clearImmediate(nextWriteTimer)\n    chunk = nextWriteTimer = null\n',
  ],
  [
    '        && sent.length < max_pipeline\n        && (!q.options.onexecute || q.options.onexecute(connection))\n',
    `        && (!q.options.onexecute || q.options.onexecute(connection)) ${pipelineMarker}\n        && sent.length < max_pipeline\n`,
  ],
];

for (const file of ['src/connection.js', 'cjs/src/connection.js']) {
  const target = path.join(root, file);
  const original = readFileSync(target, 'utf8');
  let source = original;
  for (const [from, to] of replacements) {
    if (source.includes(to)) continue;
    if (!source.includes(from)) throw new Error(`patch-postgres: ${file} changed upstream; review the patch`);
    source = source.replaceAll(from, to);
  }
  if (source === original) continue;
  writeFileSync(target, source);
  console.log(`patch-postgres: patched ${file}`);
}
