// Every service goes through runService, so each reports an invalid setting the same way: one
// fatal JSON line naming the variable, exit 1, before it opens any port or connection. Each
// service of lib/service-manifest.ts runs as everywhere else: its bundle, through the process kit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { service } from '../test/support/service-kit.ts';
import type { ServiceName } from './service-manifest.ts';

const INVALID: Record<ServiceName, Record<string, string>> = {
  // Taken as port 3 before (TypeBox's conversion cut it to what parsed): refused now.
  collector: { COLLECTOR_PORT: '3.1e3' },
  pipeline: { PIPELINE_BATCH_MAX_MESSAGES: '0' },
  api: { API_PORT: 'http' },
  'demo-site': { DEMO_PORT: '8080.5' },
};

for (const [name, invalid] of Object.entries(INVALID) as [ServiceName, Record<string, string>][]) {
  test(`${name}: an invalid setting is one fatal line naming the variable, then exit 1`, async () => {
    for (const env of [invalid, { LOG_LEVEL: 'loud' }, { SHUTDOWN_TIMEOUT_MS: '5' }]) {
      const svc = await service(name, { extraEnv: env });
      const { code } = await svc.spawn().exited;
      const stdout = svc.output();
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
