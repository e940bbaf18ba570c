// Overload and outages of the reports' database are a 503 with Retry-After, never a 500: every
// report connection busy (more concurrent reports than QUERY_POOL_MAX), and a database refusing
// connections. The request was fine; the client retries.
import { after, before, test } from 'node:test';
import pg from 'pg';
import assert from 'node:assert/strict';
import { apiBed, type ApiBed } from './api-bed.ts';

// Port 1 on the loopback: nothing listens there, so every connection is refused.
const REFUSED = 'postgres://analytics_api:analytics_api@127.0.0.1:1/analytics';
const refusedTenancy = new pg.Pool({ connectionString: REFUSED });
let busy: ApiBed;
let down: ApiBed;
before(async () => {
  busy = await apiBed({ queryPool: { max: 1, connectionTimeoutMs: 300 } });
  down = await apiBed({ queryPool: { url: REFUSED }, tenancyDb: refusedTenancy });
});
after(async () => {
  await busy.close();
  await down.close();
  await refusedTenancy.end();
});

const report = (bed: ApiBed, path: string) => bed.get(`/api/v1/projects/${bed.shop.project.id}/${path}`, bed.shop.readKey, { from: '2026-11-01', to: '2026-11-02' });

test('with every report connection held, a report waits connectionTimeout and answers 503 busy; once one is free, 200', async () => {
  const held = await busy.queryPool.connect();
  try {
    const res = await busy.app.inject({ method: 'GET', url: `/api/v1/projects/${busy.shop.project.id}/stats?from=2026-11-01&to=2026-11-02`, headers: { 'x-api-key': busy.shop.readKey } });
    assert.equal(res.statusCode, 503, res.body);
    assert.equal(res.json().error, 'busy');
    assert.equal(res.headers['retry-after'], '2');
  } finally {
    held.release();
  }
  assert.equal((await report(busy, 'stats')).status, 200);
});

test('a database refusing connections is a 503 database_unavailable with Retry-After, for reports and funnels alike', async () => {
  const stats = await down.app.inject({ method: 'GET', url: `/api/v1/projects/${down.shop.project.id}/stats?from=2026-11-01&to=2026-11-02`, headers: { 'x-api-key': down.shop.readKey } });
  assert.equal(stats.statusCode, 503, stats.body);
  assert.equal(stats.json().error, 'database_unavailable');
  assert.equal(stats.headers['retry-after'], '5');
  const funnel = await down.app.inject({
    method: 'POST',
    url: `/api/v1/projects/${down.shop.project.id}/funnels`,
    headers: { 'x-api-key': down.shop.readKey },
    payload: { from: '2026-11-01', to: '2026-11-02', steps: [{ event_type: 'page_view' }, { event_type: 'signup' }] },
  });
  assert.equal(funnel.statusCode, 503, funnel.body);
  assert.equal(funnel.json().error, 'database_unavailable');
});

test('the sign-in route on a database refusing connections is a 503 database_unavailable too', async () => {
  const res = await down.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'viewer@acme.example', password: 'not-checked-at-all' } });
  assert.equal(res.statusCode, 503, res.body);
  assert.equal(res.json().error, 'database_unavailable');
  assert.equal(res.headers['retry-after'], '5');
});
