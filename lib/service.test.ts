// Every service goes through runService, so each reports an invalid setting the same way: one
// fatal JSON line naming the variable, exit 1, before it opens any port or connection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const ENTRIES: [string, string, Record<string, string>][] = [
  ['collector', 'collector/src/server.ts', { COLLECTOR_PORT: 'http' }],
  ['pipeline', 'pipeline/src/main.ts', { PIPELINE_BATCH_MAX_MESSAGES: '0' }],
  ['demo-site', 'demo-site/server.ts', { DEMO_PORT: 'eighty' }],
];

function run(entry: string, env: Record<string, string>): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', entry], { cwd: ROOT, env: { ...process.env, ...env }, timeout: 30_000 }, (error, stdout) =>
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout }),
    );
  });
}

for (const [name, entry, invalid] of ENTRIES) {
  test(`${name}: an invalid setting is one fatal line naming the variable, then exit 1`, async () => {
    for (const env of [invalid, { LOG_LEVEL: 'loud' }, { SHUTDOWN_TIMEOUT_MS: '5' }]) {
      const { code, stdout } = await run(entry, env);
      const variable = Object.keys(env)[0]!;
      assert.equal(code, 1, `${variable}: ${stdout}`);
      const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as { level: number; service: string; msg: string });
      assert.equal(lines.length, 1, stdout);
      assert.equal(lines[0]!.level, 60);
      assert.equal(lines[0]!.service, name);
      assert.match(lines[0]!.msg, new RegExp(`^invalid configuration:\\n  ${variable}: `));
    }
  });
}
