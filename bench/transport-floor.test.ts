// Smoke test of the standalone transport-floor benchmark at toy size: it runs as the README prints
// it, carries every event over both transports (it throws when one is missing) and prints both
// figures. Never timing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

test('transport-floor runs and prints a CPU figure per event for gRPC and for batched HTTP', { timeout: 120_000 }, async () => {
  const { stdout } = await run('npx', ['tsx', 'bench/transport-floor.ts', '1', '2000'], { cwd: new URL('..', import.meta.url).pathname });
  const figure = (label: RegExp) => Number(stdout.split('\n').find((l) => label.test(l))?.split('|')[2]);
  const grpc = figure(/^\| gRPC client stream/);
  const http = figure(/^\| HTTP\/1\.1 POST/);
  assert.ok(grpc > 0 && http > 0, stdout);
});
