import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../lib/logger.ts';
import { buildDemoApp, scriptTag } from './app.ts';
import { loadDemoConfig } from './config.ts';

const logger = createLogger('demo-site-test', 'silent');

test('serves the two pages, analytics.js, and nothing else', async () => {
  const config = loadDemoConfig({});
  const app = await buildDemoApp({ config, logger, trackerCode: '/*tracker*/' });
  try {
    const home = await app.inject('/');
    assert.equal(home.statusCode, 200);
    assert.match(home.headers['content-type'] as string, /text\/html/);
    assert.match(home.body, /<title>Analytics Demo - Home<\/title>/);
    assert.match(home.body, /<script src="\/analytics.js" defer data-debug><\/script>/);
    for (const id of ['btn-action-1', 'btn-action-2', 'btn-action-3', 'link-page2']) assert.match(home.body, new RegExp(`id="${id}"`));
    const page2 = await app.inject('/page2.html');
    assert.equal(page2.statusCode, 200);
    assert.match(page2.body, /Analytics Demo - Page 2/);
    const js = await app.inject('/analytics.js');
    assert.equal(js.body, '/*tracker*/');
    assert.match(js.headers['content-type'] as string, /javascript/);
    for (const path of ['/app.ts', '/../package.json', '/public/index.html', '/%2e%2e/package.json']) {
      assert.equal((await app.inject(path)).statusCode, 404, path);
    }
    // As the README says: GET and HEAD of the listed files, an empty favicon, 404 for other methods.
    assert.equal((await app.inject({ method: 'HEAD', url: '/page2.html' })).statusCode, 200);
    assert.equal((await app.inject('/favicon.ico')).statusCode, 204);
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH'] as const) assert.equal((await app.inject({ method, url: '/' })).statusCode, 404, method);
  } finally {
    await app.close();
  }
});

test('the script tag carries the configured collector and automation switch, escaped', async () => {
  assert.equal(scriptTag({ demoCollectorUrl: '', demoAllowAutomation: false }), '<script src="/analytics.js" defer data-debug></script>');
  assert.equal(scriptTag({ demoCollectorUrl: '', demoAllowAutomation: true, demoAnonymousId: true }), '<script src="/analytics.js" defer data-allow-automation data-anonymous-id data-debug></script>');
  assert.equal(
    scriptTag({ demoCollectorUrl: 'http://127.0.0.1:4000/analytics?a=1&b="2"', demoAllowAutomation: true }),
    '<script src="/analytics.js" defer data-endpoint="http://127.0.0.1:4000/analytics?a=1&amp;b=&quot;2&quot;" data-allow-automation data-debug></script>',
  );
  const config = loadDemoConfig({ DEMO_PORT: '9999', DEMO_COLLECTOR_URL: 'http://c.example/analytics', DEMO_ALLOW_AUTOMATION: 'true' });
  assert.equal(config.demoPort, 9999);
  const app = await buildDemoApp({ config, logger, trackerCode: '' });
  try {
    assert.match((await app.inject('/page2.html')).body, /data-endpoint="http:\/\/c.example\/analytics" data-allow-automation data-debug/);
  } finally {
    await app.close();
  }
  assert.throws(() => loadDemoConfig({ DEMO_PORT: 'eighty' }), /DEMO_PORT/);
});
