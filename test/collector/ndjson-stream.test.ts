// POST /api/v1/events/stream end to end with the real services: the collector in-process on a real
// socket with the real tenancy directory, its private topic on the shared broker, and the real
// pipeline storing into PostgreSQL. What a stream's answer says was accepted is exactly what the
// database holds, once, as sent; refusals are reported by line; limits answer with the summary.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { gzipSync } from 'node:zlib';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { buildApp } from '../../collector/src/app.ts';
import type { CollectorConfig } from '../../collector/src/config.ts';
import type { EventPublisher } from '../../collector/src/events/publisher.ts';
import { createTopic, deleteTopics, testKafka } from '../support/kafka.ts';
import { waitFor, type Service } from '../support/service-kit.ts';
import { pipelineService } from '../pipeline/helpers.ts';
import { silentLogger, testConfig, testPublisher } from './helpers.ts';
import { seedTenants, type Tenants } from './tenants.ts';
import { lineEvent, ndjson, openStream, postStream } from './ndjson-client.ts';

const kafka = await testKafka('collector-ndjson-test');
let topic: string;
let dlqTopic: string;
let tenants: Tenants;
let db: pg.Pool;
let publisher: EventPublisher;
let pipeline: Service<'pipeline'>;
/** Default stream limits (a 100k-event stream fits). */
let main: FastifyInstance;
/** Small limits: 5 events per stream, 300 ms idle, one stream per key, 1 KiB lines. */
let tight: FastifyInstance;
let mainUrl: string;
let tightUrl: string;

async function listen(overrides: Partial<CollectorConfig>): Promise<[FastifyInstance, string]> {
  const config = testConfig({ kafkaTopic: topic, ...overrides });
  const app = await buildApp({ config, publisher, directory: tenants.directory, logger: silentLogger, docs: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address() as { port: number };
  return [app, `http://127.0.0.1:${address.port}/api/v1/events/stream`];
}

before(async () => {
  [topic, dlqTopic, tenants] = await Promise.all([createTopic(kafka, 'test-collector-ndjson'), createTopic(kafka, 'test-collector-ndjson-dlq', 1), seedTenants()]);
  db = new pg.Pool({ connectionString: tenants.databaseUrl, max: 2 });
  publisher = testPublisher(testConfig({ kafkaTopic: topic }));
  [main, mainUrl] = await listen({ streamMaxLineBytes: 4096 });
  [tight, tightUrl] = await listen({ streamMaxEvents: 5, streamIdleTimeoutMs: 300, streamMaxPerKey: 1, streamMaxLineBytes: 1024 });
  pipeline = await pipelineService({ databaseUrl: tenants.databaseUrl, topic, dlqTopic });
  await Promise.all([pipeline.start(), waitFor('kafka ready', () => publisher.isReady())]);
});

after(async () => {
  await Promise.all([main?.close(), tight?.close()]);
  await publisher?.close();
  await pipeline?.stop();
  await db?.end();
  await tenants?.close();
  await deleteTopics(kafka, [topic, dlqTopic]);
});

const shopKey = () => ({ 'x-api-key': tenants.shop.ingestKey });

/** Rows of a session (each test's marker): how many, and how many distinct event_ids. */
async function rowsOf(marker: string): Promise<{ rows: number; ids: number }> {
  const { rows } = await db.query<{ rows: number; ids: number }>(
    'SELECT count(*)::int AS rows, count(DISTINCT event_id)::int AS ids FROM analytics_events WHERE project_id = $1 AND session_id = $2',
    [tenants.shop.project.id, marker],
  );
  return rows[0]!;
}

/** Waits until the pipeline stored `n` rows of the marker, then lets it run on a little: a duplicate would show. */
async function settled(marker: string, n: number): Promise<{ rows: number; ids: number }> {
  await waitFor(`${n} rows of ${marker}`, () => rowsOf(marker), { until: (r) => r.rows >= n, timeoutMs: 90_000 });
  await sleep(1500);
  return rowsOf(marker);
}

async function storedIds(ids: string[]): Promise<number> {
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM analytics_events WHERE event_id = ANY($1::uuid[]) AND project_id = $2', [ids, tenants.shop.project.id]);
  return rows[0]!.n;
}

for (const gzip of [false, true]) {
  test(`100,000 events in one ${gzip ? 'gzip ' : ''}NDJSON stream: 200 accepted 100000, exactly 100,000 rows, none twice`, { timeout: 180_000 }, async (t) => {
    const marker = `bulk-${gzip ? 'gzip' : 'plain'}`;
    const events = Array.from({ length: 100_000 }, (_, i) => lineEvent(i, marker));
    const text = ndjson(events);
    const started = Date.now();
    const res = await postStream(mainUrl, { ...shopKey(), ...(gzip ? { 'content-encoding': 'gzip' } : {}) }, gzip ? gzipSync(text) : text);
    const answeredMs = Date.now() - started;
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body, { accepted: 100_000, rejected: 0, errors: [], last_acked_line: 100_000 });
    const stored = await settled(marker, 100_000);
    t.diagnostic(`answered in ${answeredMs} ms, stored after ${Date.now() - started} ms`);
    assert.deepEqual(stored, { rows: 100_000, ids: 100_000 });
    assert.equal(await storedIds(events.map((e) => String(e.event_id))), 100_000, 'the stored event_ids are the ones sent');
  });
}

test('a stream cut mid-way: the acknowledged part is stored; the whole file resent (same event_ids) leaves exactly its rows', { timeout: 120_000 }, async () => {
  const marker = 'cut';
  const events = Array.from({ length: 4000 }, (_, i) => lineEvent(i, marker));
  const lines = events.map((e) => `${JSON.stringify(e)}\n`);
  const cut = openStream(mainUrl, shopKey());
  await cut.write(lines.slice(0, 1500).join(''));
  // Half a line more, then the client dies: the server must not take the fragment for an event.
  await cut.write(lines[1500]!.slice(0, 40));
  await waitFor('the first part stored', () => rowsOf(marker), { until: (r) => r.rows >= 1500, timeoutMs: 60_000 });
  cut.destroy();
  await assert.rejects(cut.answer);
  await sleep(1000);
  assert.deepEqual(await rowsOf(marker), { rows: 1500, ids: 1500 }, 'exactly the lines before the cut');

  const again = await postStream(mainUrl, shopKey(), lines.join(''));
  assert.equal(again.status, 200, JSON.stringify(again.body));
  assert.equal(again.body.accepted, 4000);
  assert.deepEqual(await settled(marker, 4000), { rows: 4000, ids: 4000 }, 'resent lines are stored once');
});

test('malformed lines are refused by line number; the other lines are stored exactly as sent', { timeout: 60_000 }, async () => {
  const marker = 'malformed';
  const good = [
    lineEvent(1, marker, { page_title: 'Grüße — 日本 🎉', metadata: { price: 1.5, qty: 3, tags: ['a', 'b'], nested: { ok: true, none: null } } }),
    lineEvent(10, marker, { page_title: 'CRLF line' }),
    lineEvent(12, marker, { metadata: { big: '9007199254740993' } }),
  ];
  const valid = (e: Record<string, unknown>) => JSON.stringify(e);
  const body = Buffer.concat([
    Buffer.from('\ufeff'), // a byte order mark before line 1 belongs to the encoding
    Buffer.from(`${valid(good[0]!)}\n`),
    Buffer.from('not json\n'), // 2
    Buffer.from('{"event_type":"x","page_url":"https://shop.example/'),
    Buffer.from([0xc3, 0x28]), // 3: invalid UTF-8 inside a string
    Buffer.from(`","session_id":"${marker}"}\n`),
    Buffer.from(`{"event_type":"x","page_url":"https://shop.example/","session_id":"${marker}","metadata":{"n":1e400}}\n`), // 4
    Buffer.from(`{"event_type":"x","page_url":"https://shop.example/","session_id":"${marker}","metadata":{"n":9007199254740993}}\n`), // 5
    Buffer.from(`{"event_type":"x","event_type":"y","page_url":"https://shop.example/","session_id":"${marker}"}\n`), // 6
    Buffer.from(`{"event_type":"x","page_url":"ftp://shop.example/","session_id":"${marker}"}\n`), // 7
    Buffer.from(`[${valid(lineEvent(8, marker))}]\n`), // 8
    Buffer.from('\n'), // 9: blank, skipped
    Buffer.from(`${valid(good[1]!)}\r\n`), // 10
    Buffer.from('   \n'), // 11: blank
    Buffer.from(`${valid(good[2]!)}`), // 12: the last line needs no newline
  ]);
  const res = await postStream(mainUrl, shopKey(), body);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.accepted, 3);
  assert.equal(res.body.rejected, 7);
  assert.equal(res.body.last_acked_line, 12);
  const byLine = Object.fromEntries((res.body.errors as { line: number; field: string; message: string }[]).map((e) => [e.line, e]));
  assert.deepEqual(Object.keys(byLine).map(Number), [2, 3, 4, 5, 6, 7, 8]);
  assert.match(byLine[2]!.message, /not valid JSON/);
  assert.match(byLine[3]!.message, /not valid UTF-8 \(byte \d+: 0xc3\)/);
  assert.equal(byLine[3]!.field, '/page_url', 'the string holding the bad bytes');
  assert.deepEqual([byLine[4]!.field, byLine[5]!.field], ['/metadata/n', '/metadata/n']);
  assert.match(byLine[4]!.message, /1e400/);
  assert.match(byLine[5]!.message, /9007199254740993/);
  assert.equal(byLine[6]!.field, '/event_type');
  assert.equal(byLine[7]!.field, '/page_url');
  assert.match(byLine[8]!.message, /one JSON object.*array/);

  await settled(marker, 3);
  const { rows } = await db.query('SELECT event_id::text, event_type, page_url, page_title, session_id, user_id, metadata FROM analytics_events WHERE session_id = $1 ORDER BY page_url', [marker]);
  const sent = good.map((e): Record<string, unknown> => ({ page_title: null, metadata: {}, ...e })).sort((a, b) => String(a.page_url).localeCompare(String(b.page_url)));
  assert.deepEqual(rows, sent, 'stored exactly as sent, nothing of a refused line');
});

test('a line over STREAM_MAX_LINE_BYTES: 413 naming the line and the limit; the lines before it are stored', async () => {
  const marker = 'too-long';
  const before = [lineEvent(1, marker), lineEvent(2, marker)];
  const long = lineEvent(3, marker, { page_title: 'x'.repeat(150), metadata: { pad: 'y'.repeat(5000) } });
  const res = await postStream(mainUrl, shopKey(), ndjson([...before, long, lineEvent(4, marker)]));
  assert.equal(res.status, 413, JSON.stringify(res.body));
  assert.equal(res.body.error, 'line_too_long');
  assert.match(res.body.message, /line 3 is longer than 4096 bytes/);
  assert.equal(res.body.accepted, 2);
  assert.equal(res.body.last_acked_line, 2);
  assert.deepEqual(await settled(marker, 2), { rows: 2, ids: 2 });
  assert.equal(await storedIds(before.map((e) => String(e.event_id))), 2);
});

test('every line refused: 400 validation_failed with the summary', async () => {
  const res = await postStream(mainUrl, shopKey(), '{"event_type":"x"}\n[]\n');
  assert.equal(res.status, 400);
  assert.equal(res.body.error, 'validation_failed');
  assert.deepEqual([res.body.accepted, res.body.rejected, res.body.last_acked_line], [0, 2, 2]);
  assert.deepEqual(res.body.errors.map((e: { line: number }) => e.line), [1, 2]);
});

test('corrupt gzip: 400 invalid_gzip with what was stored before it', async () => {
  const marker = 'gzip-corrupt';
  const whole = gzipSync(ndjson(Array.from({ length: 50 }, (_, i) => lineEvent(i, marker))));
  const res = await postStream(mainUrl, { ...shopKey(), 'content-encoding': 'gzip' }, Buffer.concat([whole.subarray(0, whole.length - 8), Buffer.from('garbage!')]));
  assert.equal(res.status, 400, JSON.stringify(res.body));
  assert.equal(res.body.error, 'invalid_gzip');
  assert.equal(res.body.last_acked_line, res.body.accepted);
  // The resume line the message names is the one after last_acked_line, as in every other answer.
  assert.match(res.body.message, new RegExp(`resend from line ${res.body.last_acked_line + 1} `));
});

test('a gzip body sent without Content-Encoding: 415 saying so, instead of every line refused as garbage', async () => {
  const marker = 'gzip-unannounced';
  const res = await postStream(mainUrl, shopKey(), gzipSync(ndjson(Array.from({ length: 5 }, (_, i) => lineEvent(i, marker)))));
  assert.equal(res.status, 415, JSON.stringify(res.body));
  assert.equal(res.body.error, 'gzip_without_content_encoding');
  assert.match(res.body.message, /Content-Encoding: gzip/);
});

/** A POST with `Expect: 100-continue` that sends its body only after a 100 Continue: whether one came, and the answer. */
function postExpectingContinue(url: string, headers: Record<string, string>, body: string): Promise<{ continued: boolean; status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    let continued = false;
    const req = http.request(url, { method: 'POST', headers: { 'content-type': 'application/x-ndjson', expect: '100-continue', 'content-length': Buffer.byteLength(body), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ continued, status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> }));
    });
    req.on('continue', () => {
      continued = true;
      req.end(body);
    });
    req.on('error', reject);
    req.flushHeaders();
  });
}

test('Expect: 100-continue: a refused key or a full stream slot is answered without 100 Continue (the body never sent); a granted stream gets it and is read', async () => {
  const marker = 'expect-continue';
  const body = ndjson([lineEvent(0, marker), lineEvent(1, marker)]);
  const unknown = await postExpectingContinue(mainUrl, { 'x-api-key': 'sk_unknown' }, body);
  assert.deepEqual([unknown.continued, unknown.status, unknown.body.error], [false, 401, 'invalid_api_key']);
  const first = openStream(tightUrl, shopKey());
  await first.write(ndjson([lineEvent(2, marker)]));
  await sleep(100);
  const full = await postExpectingContinue(tightUrl, shopKey(), body);
  assert.deepEqual([full.continued, full.status, full.body.error], [false, 429, 'too_many_streams']);
  first.end();
  assert.equal((await first.answer).status, 200);
  const granted = await postExpectingContinue(mainUrl, shopKey(), body);
  assert.deepEqual([granted.continued, granted.status, granted.body.accepted], [true, 200, 2]);
});

/** Uploads `megabytes` of one endless line as fast as the socket takes it; the answer, or the error that took its place. */
function uploadUntilAnswered(url: string, headers: Record<string, string>, megabytes: number): Promise<{ status?: number; error?: string }> {
  return new Promise((resolve) => {
    const req = http.request(url, { method: 'POST', headers: { 'content-type': 'application/x-ndjson', ...headers } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode }));
      req.destroy();
    });
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
    const chunk = Buffer.alloc(64 * 1024, 'x');
    let left = megabytes * 16;
    const pump = () => {
      while (left > 0) {
        left -= 1;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

test('answered before the body ends, a client still uploading reads the answer instead of a reset (lingering close)', async () => {
  for (let i = 0; i < 5; i++) {
    // One endless line: the 413 comes while the client is still sending megabytes.
    const res = await uploadUntilAnswered(mainUrl, shopKey(), 64);
    assert.deepEqual(res, { status: 413 }, `attempt ${i + 1}`);
  }
});

test('headers refused before the body is read: content type, charset, coding (415 naming them); keys and projects as POST /api/v1/events', async () => {
  const line = ndjson([lineEvent(0, 'refused')]);
  const cases: [Record<string, string>, number, string][] = [
    [{ ...shopKey(), 'content-type': 'application/json' }, 415, 'unsupported_media_type'],
    [{ ...shopKey(), 'content-type': 'application/x-ndjson; charset=iso-8859-1' }, 415, 'unsupported_charset'],
    [{ ...shopKey(), 'content-encoding': 'br' }, 415, 'unsupported_content_encoding'],
    [{}, 401, 'missing_api_key'],
    [{ 'x-api-key': 'sk_unknown' }, 401, 'invalid_api_key'],
    [{ 'x-api-key': tenants.shop.project.siteKey }, 401, 'invalid_api_key'],
    [{ 'x-api-key': tenants.shop.readKey }, 403, 'insufficient_scope'],
  ];
  for (const [headers, status, error] of cases) {
    const res = await postStream(mainUrl, headers, line);
    assert.equal(res.status, status, `${JSON.stringify(headers)} → ${JSON.stringify(res.body)}`);
    assert.equal(res.body.error, error);
  }
  const org = await postStream(`${mainUrl}?project=${tenants.blog.project.id}`, { 'x-api-key': tenants.shop.orgKey }, line);
  assert.equal(org.status, 404, JSON.stringify(org.body));
  const charsetOk = await postStream(mainUrl, { ...shopKey(), 'content-type': 'application/x-ndjson; charset=UTF-8' }, ndjson([lineEvent(0, 'charset-ok')]));
  assert.equal(charsetOk.status, 200, JSON.stringify(charsetOk.body));
  // Another project's site key in the line: refused by line, not stored.
  const foreign = await postStream(mainUrl, shopKey(), ndjson([lineEvent(0, 'foreign', { site_id: tenants.blog.project.siteKey })]));
  assert.equal(foreign.status, 400, JSON.stringify(foreign.body));
  assert.equal(foreign.body.errors[0].field, '/site_id');
  assert.deepEqual(await rowsOf('refused'), { rows: 0, ids: 0 });
});

test('more than STREAM_MAX_EVENTS: 413 naming the line and the limit, the first ones stored', async () => {
  const marker = 'max-events';
  const events = Array.from({ length: 8 }, (_, i) => lineEvent(i, marker));
  const res = await postStream(tightUrl, shopKey(), ndjson(events));
  assert.equal(res.status, 413, JSON.stringify(res.body));
  assert.equal(res.body.error, 'too_many_events');
  assert.match(res.body.message, /line 6: a stream carries at most 5 events/);
  assert.deepEqual([res.body.accepted, res.body.last_acked_line], [5, 5]);
  assert.deepEqual(await settled(marker, 5), { rows: 5, ids: 5 });
  assert.equal(await storedIds(events.slice(0, 5).map((e) => String(e.event_id))), 5);
});

test('a client that sends nothing for STREAM_IDLE_TIMEOUT_MS: 408 with what it delivered, the connection closed', async () => {
  const marker = 'idle';
  const s = openStream(tightUrl, shopKey());
  await s.write(ndjson([lineEvent(1, marker), lineEvent(2, marker)]));
  const started = Date.now();
  const res = await s.answer;
  const waited = Date.now() - started;
  assert.equal(res.status, 408, JSON.stringify(res.body));
  assert.equal(res.body.error, 'stream_idle');
  assert.deepEqual([res.body.accepted, res.body.last_acked_line], [2, 2]);
  assert.equal(res.headers.connection, 'close');
  assert.ok(waited >= 200 && waited < 3000, `answered after ${waited} ms of silence (limit 300)`);
  s.destroy();
});

test('streams per key: the second concurrent stream of a key is 429 before reading; its slot is freed when the stream ends or the client aborts', async () => {
  const first = openStream(tightUrl, shopKey());
  await first.write(ndjson([lineEvent(1, 'slots')]));
  // Blank lines keep it from the idle timeout while it holds the key's one slot.
  const keepAlive = setInterval(() => void first.write('\n'), 100);
  await sleep(100);
  const keyId = tenants.directory.verifyKey(tenants.shop.ingestKey)!.keyId;
  assert.equal(tight.ingestion.streamSlots.held(keyId), 1, 'the open stream holds the slot of the app (the one the gRPC transport shares)');
  const second = await postStream(tightUrl, shopKey(), ndjson([lineEvent(2, 'slots')]));
  assert.equal(second.status, 429, JSON.stringify(second.body));
  assert.equal(second.body.error, 'too_many_streams');
  assert.match(second.body.message, /1 open streams/);
  assert.equal(second.headers.connection, 'close');
  // Another key of the same project has its own slots.
  const spare = await postStream(tightUrl, { 'x-api-key': tenants.shop.spareKey }, ndjson([lineEvent(3, 'slots')]));
  assert.equal(spare.status, 200, JSON.stringify(spare.body));
  clearInterval(keepAlive);
  first.end(ndjson([lineEvent(4, 'slots')]));
  assert.equal((await first.answer).status, 200);
  const afterEnd = await postStream(tightUrl, shopKey(), ndjson([lineEvent(5, 'slots')]));
  assert.equal(afterEnd.status, 200, `slot freed after the stream ended: ${JSON.stringify(afterEnd.body)}`);

  const aborted = openStream(tightUrl, shopKey());
  await aborted.write(ndjson([lineEvent(6, 'slots')]));
  await sleep(100);
  aborted.destroy();
  await waitFor('the aborted stream gives its slot back', () => tight.ingestion.streamSlots.held(keyId) === 0, { timeoutMs: 5000 });
  await waitFor('slot freed after the abort', async () => (await postStream(tightUrl, shopKey(), ndjson([lineEvent(7, 'slots')]))).status === 200, { timeoutMs: 5000 });
  assert.deepEqual(await settled('slots', 6), { rows: 6, ids: 6 }, 'lines 1, 3, 4, 5, 6 (acknowledged before the abort) and 7; nothing of the refused stream');
});
