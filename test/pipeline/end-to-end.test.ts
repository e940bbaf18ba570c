// The runbook's check, end to end with real processes: collector -> Kafka -> pipeline ->
// PostgreSQL. One curl-shaped POST becomes one row; 100 parallel POSTs for one session, 100 rows.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { service, waitFor, type Service } from '../support/service-kit.ts';
import { count, pipelineBed, produce } from './helpers.ts';

const bed = await pipelineBed('e2e');
const { db, kafka, topic } = bed;
let pipeline: Service<'pipeline'>;
let collector: Service<'collector'>;

before(async () => {
  collector = await service('collector', { env: { kafkaTopic: bed.topic } });
  [pipeline] = await Promise.all([bed.startPipeline(), collector.start()]);
});

after(async () => {
  await Promise.all([collector?.stop(), pipeline?.stop()]);
  await bed.close();
});

const post = (body: unknown) => fetch(`${collector.url}/analytics`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

test('one POST /analytics becomes one row in analytics_events', async (t) => {
  const started = Date.now();
  const res = await post({ event_type: 'page_view', page_url: 'https://example.com/e2e', session_id: 'e2e-single', page_title: 'E2E' });
  assert.ok(res.status >= 200 && res.status < 300, `collector answered ${res.status}`);
  await waitFor('row', () => count(db.pool, "SELECT count(*)::int AS n FROM analytics_events WHERE session_id = 'e2e-single'"), { until: (n) => n === 1, intervalMs: 10 });
  // Reported, not asserted: speed belongs to benchmarks.
  t.diagnostic(`row visible ${Date.now() - started} ms after the POST`);
  const { rows } = await db.pool.query("SELECT event_type, page_url, page_title FROM analytics_events WHERE session_id = 'e2e-single'");
  assert.deepEqual(rows[0], { event_type: 'page_view', page_url: 'https://example.com/e2e', page_title: 'E2E' });
  // The visitor is a hash of the client's address; the address itself is in no column of the row.
  const row = (await db.pool.query<{ visitor_id: string; text: string }>("SELECT e.visitor_id, row_to_json(e)::text AS text FROM analytics_events e WHERE session_id = 'e2e-single'")).rows[0]!;
  assert.match(row.visitor_id, /^h:[0-9a-f]{32}$/);
  assert.ok(!row.text.includes('127.0.0.1'), row.text);
});

test('100 parallel POSTs for perf-test-session make exactly 100 rows', async () => {
  const responses = await Promise.all(
    Array.from({ length: 100 }, (_, i) => post({ event_type: 'button_click', page_url: 'https://example.com/perf', session_id: 'perf-test-session', button_id: `b${i}` })),
  );
  assert.ok(responses.every((r) => r.status >= 200 && r.status < 300), responses.map((r) => r.status).join());
  const sql = "SELECT count(*)::int AS n FROM analytics_events WHERE session_id = 'perf-test-session'";
  await waitFor('100 rows', () => count(db.pool, sql), { until: (n) => n >= 100 });
  assert.equal(await count(db.pool, sql), 100);
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rowsOf = (id: string) => count(db.pool, `SELECT count(*)::int AS n FROM analytics_events WHERE event_id = '${id}'`);

test('a retry is one row whatever its timestamps: none, 20 min fast, 8 days old, or a foreign record produced twice', async () => {
  const base = { event_type: 'page_view', page_url: 'http://example.test/a', session_id: 's1' };
  const cases: [string, Record<string, unknown>][] = [
    ['no timestamp', {}],
    ['client clock 20 min fast', { timestamp: new Date(Date.now() + 20 * 60_000).toISOString() }],
    ['client time 8 days old', { timestamp: new Date(Date.now() - 8 * 86_400_000).toISOString() }],
  ];
  const ids = cases.map(() => randomUUID());
  for (const [i, [, fields]] of cases.entries()) assert.equal((await post({ event_id: ids[i], ...base, ...fields })).status, 200);
  await sleep(1000);
  for (const [i, [, fields]] of cases.entries()) assert.equal((await post({ event_id: ids[i], ...base, ...fields })).status, 200);
  const foreign = randomUUID();
  await produce(kafka, topic, [{ key: 's1', value: JSON.stringify({ event_id: foreign, ...base }) }]);
  await sleep(1000);
  await produce(kafka, topic, [{ key: 's1', value: JSON.stringify({ event_id: foreign, ...base }) }]);
  // A later event on the same key: once it is stored, every earlier record was processed.
  const marker = randomUUID();
  await produce(kafka, topic, [{ key: 's1', value: JSON.stringify({ event_id: marker, ...base }) }]);
  await waitFor('marker row', () => rowsOf(marker), { until: (n) => n === 1 });
  for (const [i, [name]] of cases.entries()) assert.equal(await rowsOf(ids[i]!), 1, name);
  assert.equal(await rowsOf(foreign), 1, 'foreign record produced twice');
  // Clamped times keep the client's value, queryable by analysts.
  const { rows } = await db.pool.query<{ event_id: string; timestamp_adjustment: string | null; client_timestamp: Date | null; received_at: Date; timestamp: Date }>(
    `SELECT event_id, timestamp_adjustment, client_timestamp, received_at, "timestamp" FROM analytics_events WHERE event_id = ANY($1) ORDER BY event_id`,
    [ids],
  );
  const byId = new Map(rows.map((r) => [r.event_id, r]));
  assert.equal(byId.get(ids[0]!)!.timestamp_adjustment, null);
  assert.equal(byId.get(ids[0]!)!.client_timestamp, null);
  for (const [i, adjustment] of [[1, 'clamped_future'], [2, 'clamped_past']] as const) {
    const row = byId.get(ids[i]!)!;
    assert.equal(row.timestamp_adjustment, adjustment);
    assert.equal(row.client_timestamp!.toISOString(), cases[i]![1].timestamp);
    assert.equal(row.timestamp.getTime(), row.received_at.getTime(), 'clamped to receipt time');
  }
});

test('a declared charset is decoded and the text stored exactly; lossy input never reaches the table', async () => {
  const id = randomUUID();
  const body = Buffer.from(JSON.stringify({ event_id: id, event_type: 'page_view', page_url: 'http://example.test/é', session_id: 's1', page_title: `Café ${'x'.repeat(10)}` }), 'latin1');
  const res = await fetch(`${collector.url}/analytics`, { method: 'POST', headers: { 'content-type': 'application/json; charset=ISO-8859-1' }, body });
  assert.equal(res.status, 200, await res.text());
  await waitFor('row', () => rowsOf(id), { until: (n) => n === 1 });
  const { rows } = await db.pool.query(`SELECT page_title, page_url FROM analytics_events WHERE event_id = $1`, [id]);
  assert.deepEqual(rows[0], { page_title: `Café ${'x'.repeat(10)}`, page_url: 'http://example.test/é' });
  const emoji = randomUUID();
  assert.equal((await post({ event_id: emoji, event_type: 'x', page_url: 'http://example.test/', page_title: '😀'.repeat(200), metadata: { n: 9007199254740991, l: [0.1, '😀'] } })).status, 200);
  await waitFor('row', () => rowsOf(emoji), { until: (n) => n === 1 });
  const stored = await db.pool.query(`SELECT page_title, metadata FROM analytics_events WHERE event_id = $1`, [emoji]);
  assert.deepEqual(stored.rows[0], { page_title: '😀'.repeat(200), metadata: { n: 9007199254740991, l: [0.1, '😀'] } });
});

test('date-times PostgreSQL cannot read as written are stored as their instant, never dead-lettered by the database', async () => {
  const base = { event_type: 'page_view', page_url: 'http://example.test/t', session_id: 'ts-range' };
  // Clamped (far future or past): the originals go to client_timestamp.
  const originals = ['2026-11-20T10:00:00+16:00', '1969-12-31T23:59:59.999999-23:59', '0000-01-01T00:00:00Z', '0000-01-01T00:00:00+23:59', '9999-12-31T23:59:59.999999-23:59'];
  const ids = originals.map(() => randomUUID());
  for (const [i, timestamp] of originals.entries()) {
    const res = await post({ event_id: ids[i], ...base, timestamp });
    assert.equal(res.status, 200, `${timestamp}: ${await res.text()}`);
  }
  // Another producer's record that satisfies the contract, with such times in every date-time field.
  const foreign = randomUUID();
  await produce(kafka, topic, [{ key: 'ts-range', value: JSON.stringify({ event_id: foreign, ...base, timestamp: '0000-01-01T00:00:00Z', received_at: '2026-11-20T10:00:00+16:00' }) }]);
  const all = [...ids, foreign];
  await waitFor('rows', () => count(db.pool, `SELECT count(*)::int AS n FROM analytics_events WHERE event_id = ANY('{${all.join(',')}}')`), { until: (n) => n === all.length });
  const { rows } = await db.pool.query<{ event_id: string; ms: string; ts_ms: string; rcv_ms: string }>(
    `SELECT event_id, (extract(epoch FROM client_timestamp) * 1000)::text AS ms, (extract(epoch FROM "timestamp") * 1000)::text AS ts_ms, (extract(epoch FROM received_at) * 1000)::text AS rcv_ms
       FROM analytics_events WHERE event_id = ANY($1)`,
    [all],
  );
  const byId = new Map(rows.map((r) => [r.event_id, r]));
  // The instant each original names, to the microsecond (epoch ms with the sub-millisecond digits).
  const instant = (iso: string) => Date.parse(iso.replace(/\.\d+/, '')) + Number(`0${/\.\d+/.exec(iso)?.[0] ?? ''}`) * 1000;
  for (const [i, original] of originals.entries()) assert.equal(Number(byId.get(ids[i]!)!.ms), instant(original), original);
  assert.equal(Number(byId.get(foreign)!.ts_ms), Date.parse('0000-01-01T00:00:00Z'));
  assert.equal(Number(byId.get(foreign)!.rcv_ms), Date.parse('2026-11-20T10:00:00+16:00'));
  assert.equal(await count(db.pool, `SELECT count(*)::int AS n FROM analytics_events_rejected WHERE reason = 'database_rejected'`), 0);
});

test('windows-1252 text and another producer\'s -0 and nil event_id: stored exactly or dead-lettered by name', async () => {
  const id = randomUUID();
  const [head, tail] = JSON.stringify({ event_id: id, event_type: 'page_view', page_url: 'http://example.test/w', page_title: '<>' }).split('<>') as [string, string];
  const body = Buffer.concat([Buffer.from(head), Buffer.from([0x80, 0x20, 0x93, 0x71, 0x94]), Buffer.from(tail)]);
  const res = await fetch(`${collector.url}/analytics`, { method: 'POST', headers: { 'content-type': 'application/json; charset=windows-1252' }, body });
  assert.equal(res.status, 200, await res.text());
  const negativeZero = JSON.stringify({ event_id: randomUUID(), event_type: 'x', page_url: 'http://example.test/', metadata: { n: -0 } }).replace('"n":0', '"n":-0');
  const nil = JSON.stringify({ event_id: '00000000-0000-0000-0000-000000000000', event_type: 'x', page_url: 'http://example.test/' });
  await produce(kafka, topic, [{ key: 'w', value: negativeZero }, { key: 'w', value: nil }]);
  await waitFor('row', () => rowsOf(id), { until: (n) => n === 1 });
  const { rows } = await db.pool.query(`SELECT page_title FROM analytics_events WHERE event_id = $1`, [id]);
  assert.equal(rows[0].page_title, '€ “q”');
  const sql = `SELECT reason, detail FROM analytics_events_rejected WHERE convert_from(raw_value, 'UTF8') = ANY($1) ORDER BY reason`;
  await waitFor('dead letters', async () => (await db.pool.query(sql, [[negativeZero, nil]])).rows.length, { until: (n) => n === 2 });
  const dead = (await db.pool.query<{ reason: string; detail: string }>(sql, [[negativeZero, nil]])).rows;
  assert.deepEqual(dead.map((r) => r.reason), ['inexact_value', 'invalid_event_id']);
  assert.match(dead[0]!.detail, /\/metadata\/n .*negative zero/);
  assert.equal(await count(db.pool, `SELECT count(*)::int AS n FROM analytics_events WHERE event_id = '00000000-0000-0000-0000-000000000000'`), 0);
});
