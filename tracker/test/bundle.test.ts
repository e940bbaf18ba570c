// The built analytics.js: within its size budget, free of the contract's schema library, and a
// valid classic script.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Script } from 'node:vm';
import { bundleTracker, GZIP_BUDGET_BYTES } from '../build.ts';

test(`analytics.js stays within ${GZIP_BUDGET_BYTES} bytes min+gzip and bundles no schema library`, async () => {
  const bundle = await bundleTracker();
  assert.ok(bundle.gzipBytes <= GZIP_BUDGET_BYTES, `analytics.js is ${bundle.gzipBytes} bytes min+gzip (budget ${GZIP_BUDGET_BYTES})`);
  assert.ok(bundle.gzipBytes > 500, 'suspiciously small bundle');
  for (const absent of ['TypeBox', 'sinclair', 'Kind', 'import ', 'require(']) assert.ok(!bundle.code.includes(absent), `bundle contains ${absent}`);
  // The contract's limits are inlined as numbers.
  assert.match(bundle.code, /slice\(0,500\)/);
  assert.doesNotThrow(() => new Script(bundle.code));
});
