// One time zone rule everywhere (lib/time-zone.ts, docs/metrics.md § Time zone): a zone is taken
// only in its standard IANA spelling, and another letter case is a 400 naming the field with the
// spelling to send, on the admin routes of both services and on the query API's reports (GET and
// POST bodies). A 2xx stores exactly what was sent. The CLI: test/tenancy/cli.test.ts.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { bothServices, send, type BothServices } from './both-services.ts';

let both: BothServices;
before(async () => {
  both = await bothServices();
});
after(() => both?.close());

const DID_YOU_MEAN = 'time zone "europe/berlin" is not spelled as IANA spells it: did you mean Europe/Berlin?';

test('admin routes, both services: europe/berlin is refused naming /timezone and the spelling; Europe/Berlin is stored as sent', async () => {
  const before = await both.counts();
  const answers = [];
  for (const { name, app } of both.services) {
    const refused = await send(app, { method: 'POST', url: '/api/v1/admin/projects', headers: { 'x-api-key': both.adminKey }, payload: { name: `lower-${name}`, timezone: 'europe/berlin' } });
    assert.deepEqual(
      [refused.status, refused.body.error, refused.body.errors?.[0]?.field, refused.body.message],
      [400, 'invalid_field', '/timezone', `/timezone: ${DID_YOU_MEAN}`],
      `${name}: ${JSON.stringify(refused.body)}`,
    );
    answers.push(refused);
  }
  assert.deepEqual(answers[1], answers[0], 'the query API answers as the collector does');
  assert.deepEqual(await both.counts(), before, 'nothing stored');
  for (const { name, app } of both.services) {
    const made = await send(app, { method: 'POST', url: '/api/v1/admin/projects', headers: { 'x-api-key': both.adminKey }, payload: { name: `exact-${name}`, timezone: 'Asia/Kathmandu' } });
    assert.deepEqual([made.status, made.body.timezone], [201, 'Asia/Kathmandu'], `${name}: ${JSON.stringify(made.body)}`);
    const stored = await both.db.pool.query<{ timezone: string }>('SELECT timezone FROM projects WHERE id = $1', [made.body.project]);
    assert.equal(stored.rows[0]!.timezone, 'Asia/Kathmandu');
  }
});

test('reports: a tz in another letter case is a 400 naming tz with the spelling, in a query string and in a body', async () => {
  const api = both.services.find((s) => s.name === 'api')!.app;
  const base = `/api/v1/projects/${both.projectId}`;
  const headers = { 'x-api-key': both.readKey };
  for (const [method, url, payload] of [
    ['GET', `${base}/stats?tz=europe%2Fberlin`, undefined],
    ['GET', `${base}/timeseries?interval=day&tz=europe%2Fberlin`, undefined],
    ['POST', `${base}/retention`, { unit: 'user', tz: 'europe/berlin' }],
    ['POST', `${base}/funnels`, { steps: [{ event_type: 'page_view' }, { event_type: 'button_click' }], tz: 'europe/berlin' }],
  ] as const) {
    const res = await send(api, { method, url, headers, ...(payload ? { payload } : {}) });
    assert.deepEqual([res.status, res.body.error, res.body.errors?.[0]?.field, res.body.message], [400, 'invalid_parameter', 'tz', `tz: ${DID_YOU_MEAN}`], `${method} ${url}: ${JSON.stringify(res.body)}`);
  }
  const ok = await send(api, { method: 'GET', url: `${base}/stats?tz=Europe%2FBerlin`, headers });
  assert.deepEqual([ok.status, ok.body.meta?.tz], [200, 'Europe/Berlin'], JSON.stringify(ok.body));
});
