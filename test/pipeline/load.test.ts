// The pipeline in-process against the real Kafka and PostgreSQL: rows land with the right fields,
// replays deduplicate, poison goes to the dead-letter topic and table, hostile strings survive COPY.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_PROJECT_ID } from '#contract';
import type { Pipeline } from '../../pipeline/src/app.ts';
import { waitFor } from '../support/service-kit.ts';
import { canonicalMessage, collectedEvent, count, pipelineBed, produce, startPipelineInProcess } from './helpers.ts';

const bed = await pipelineBed('pipeline');
const { kafka, db, topic, dlqTopic } = bed;
let pipeline: Pipeline;

before(async () => {
  pipeline = await startPipelineInProcess(bed);
});

after(async () => {
  await pipeline.stop();
  await bed.close();
});

test('N collector events become N rows with the fields the collector wrote', async () => {
  const events = Array.from({ length: 300 }, (_, i) =>
    collectedEvent({ session_id: `load-${i % 7}`, event_type: i % 3 === 0 ? 'button_click' : 'page_view', button_id: i % 3 === 0 ? `btn-${i}` : undefined, metadata: { i } }),
  );
  await produce(kafka, topic, events.map((e) => ({ key: e.session_id!, value: JSON.stringify(e) })));
  const sql = "SELECT count(*)::int AS n FROM analytics_events WHERE session_id LIKE 'load-%'";
  await waitFor('300 rows', () => count(db.pool, sql), { until: (n) => n >= 300 });
  assert.equal(await count(db.pool, sql), 300);

  const sample = events[3]!;
  const { rows } = await db.pool.query('SELECT * FROM analytics_events WHERE event_id = $1', [sample.event_id]);
  assert.equal(rows.length, 1);
  const row = rows[0];
  assert.equal(row.event_type, 'button_click');
  assert.equal(row.button_id, 'btn-3');
  assert.equal(row.page_url, sample.page_url);
  assert.equal(row.page_title, 'Products');
  assert.equal(row.session_id, 'load-3');
  assert.equal(row.user_agent, 'Mozilla/5.0 test');
  assert.deepEqual(row.metadata, { i: 3 });
  assert.equal((row.timestamp as Date).toISOString(), sample.timestamp);
  assert.equal((row.received_at as Date).toISOString(), sample.received_at);
});

test('the same event produced twice is stored once', async () => {
  const event = collectedEvent({ session_id: 'dup-session' });
  const value = JSON.stringify(event);
  await produce(kafka, topic, [{ key: 'dup-session', value }, { key: 'dup-session', value }]);
  await produce(kafka, topic, [{ key: 'dup-session', value }, { key: 'dup-session', value: JSON.stringify(collectedEvent({ session_id: 'dup-session', event_type: 'marker' })) }]);
  await waitFor('marker row', () => count(db.pool, "SELECT count(*)::int AS n FROM analytics_events WHERE session_id = 'dup-session' AND event_type = 'marker'"), { until: (n) => n === 1 });
  assert.equal(await count(db.pool, `SELECT count(*)::int AS n FROM analytics_events WHERE event_id = '${event.event_id}'`), 1);
});

test('poison messages go to the dead-letter topic and table; later events still land', async () => {
  const poison = [
    { key: 'poison', value: Buffer.from('{not json') },
    { key: 'poison', value: Buffer.from('[1,2,3]') },
    { key: 'poison', value: JSON.stringify({ page_url: 'https://x.example/' }) },
    { key: 'poison', value: JSON.stringify({ event_type: 'page_view', timestamp: 'yesterday-ish' }) },
  ];
  const after = collectedEvent({ session_id: 'after-poison' });
  await produce(kafka, topic, [...poison, { key: 'after-poison', value: JSON.stringify(after) }]);
  await waitFor('event after poison', () => count(db.pool, `SELECT count(*)::int AS n FROM analytics_events WHERE event_id = '${after.event_id}'`), { until: (n) => n === 1 });
  // The poison shares no partition with the later event, and partitions load concurrently.
  await waitFor('poison recorded', () => count(db.pool, 'SELECT count(*)::int AS n FROM analytics_events_rejected'), { until: (n) => n >= poison.length });

  const { rows } = await db.pool.query<{ reason: string; raw: Buffer; kafka_topic: string }>(
    'SELECT reason, raw_value AS raw, kafka_topic FROM analytics_events_rejected ORDER BY kafka_partition, kafka_offset',
  );
  assert.deepEqual(rows.map((r) => r.reason).sort(), ['invalid_json', 'invalid_timestamp', 'missing_event_type', 'not_an_object']);
  assert.ok(rows.every((r) => r.kafka_topic === topic));
  // Bytes that are no JSON object have no known project; a parsed record without one is the default project's.
  const projects = await db.pool.query<{ reason: string; project_id: string | null }>('SELECT reason, project_id FROM analytics_events_rejected ORDER BY reason');
  assert.deepEqual(projects.rows, [
    { reason: 'invalid_json', project_id: null },
    { reason: 'invalid_timestamp', project_id: DEFAULT_PROJECT_ID },
    { reason: 'missing_event_type', project_id: DEFAULT_PROJECT_ID },
    { reason: 'not_an_object', project_id: null },
  ]);
  assert.ok(rows.some((r) => r.raw.toString() === '{not json'));

  const consumer = kafka.consumer({ groupId: `${dlqTopic}-reader` });
  const seen: { reason: string; value: string }[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: dlqTopic, fromBeginning: true });
    const done = new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          seen.push({ reason: message.headers!['x-reject-reason']!.toString(), value: message.value!.toString() });
          if (seen.length >= 4) resolve();
        },
      });
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`dlq: ${seen.length} of 4`)), 30_000)));
    await Promise.race([done, timeout]).finally(() => clearTimeout(timer));
  } finally {
    await consumer.disconnect();
  }
  assert.deepEqual(seen.map((s) => s.reason).sort(), ['invalid_json', 'invalid_timestamp', 'missing_event_type', 'not_an_object']);
  assert.ok(seen.some((s) => s.value === '[1,2,3]'));
});

test('a row PostgreSQL refuses is dead-lettered as database_rejected; the rest of its batch lands', async () => {
  // A CHECK constraint stands in for any value the steps let through but the database refuses.
  await db.pool.query("ALTER TABLE analytics_events ADD CONSTRAINT refuse_marker CHECK (event_type <> 'refuse_me')");
  try {
    const events = [collectedEvent({ session_id: 'refused' }), collectedEvent({ session_id: 'refused', event_type: 'refuse_me' }), collectedEvent({ session_id: 'refused' })];
    await produce(kafka, topic, events.map((e) => ({ key: 'refused', value: JSON.stringify(e) })));
    await waitFor('refused row', () => count(db.pool, "SELECT count(*)::int AS n FROM analytics_events_rejected WHERE reason = 'database_rejected'"), { until: (n) => n === 1 });
    assert.equal(await count(db.pool, "SELECT count(*)::int AS n FROM analytics_events WHERE session_id = 'refused'"), 2);
    const { rows } = await db.pool.query("SELECT detail, convert_from(raw_value, 'UTF8') AS raw FROM analytics_events_rejected WHERE reason = 'database_rejected'");
    assert.match(rows[0].detail, /refuse_marker/);
    assert.equal(JSON.parse(rows[0].raw).event_id, events[1]!.event_id);
  } finally {
    await db.pool.query('ALTER TABLE analytics_events DROP CONSTRAINT refuse_marker');
  }
});

test('hostile strings are stored as documented and never break COPY', async () => {
  const big = 'x'.repeat(16 * 1024);
  const hostile = 'tab\there\nnew\\line \\. \r end 😀';
  const events = [
    collectedEvent({ session_id: 'hostile', page_title: hostile, button_id: '\\.', metadata: { big, hostile } }),
    // From another producer: NUL and a lone surrogate, which the contract refuses and PostgreSQL cannot store.
    { event_type: 'custom', page_url: 'https://x.example/\u0000nul', session_id: 'hostile', page_title: 'lone \uD800 surrogate', metadata: { 'k\u0000': 'v\uDC00' } },
  ];
  await produce(kafka, topic, events.map((e) => ({ key: 'hostile', value: JSON.stringify(e) })));
  await waitFor('hostile rows', () => count(db.pool, "SELECT count(*)::int AS n FROM analytics_events WHERE session_id = 'hostile'"), { until: (n) => n >= 2 });
  const { rows } = await db.pool.query("SELECT page_title, button_id, page_url, metadata FROM analytics_events WHERE session_id = 'hostile' ORDER BY event_type DESC");
  assert.equal(rows[0].page_title, hostile);
  assert.equal(rows[0].button_id, '\\.');
  assert.deepEqual(rows[0].metadata, { big, hostile });
  assert.equal(rows[1].page_url, 'https://x.example/nul');
  assert.equal(rows[1].page_title, 'lone \uFFFD surrogate');
  assert.deepEqual(rows[1].metadata, { k: 'v\uFFFD' });
});

test('analytics_summary counts equal a GROUP BY over analytics_events', async () => {
  const stamp = Date.now();
  const events = Array.from({ length: 60 }, (_, i) =>
    collectedEvent({ session_id: 'summary', event_type: ['page_view', 'button_click', 'page_unload'][i % 3]!, page_url: `https://s.example/${i % 4}`, timestamp: new Date(stamp - (i % 5) * 60_000).toISOString() }),
  );
  await produce(kafka, topic, events.map((e) => ({ key: 'summary', value: JSON.stringify(e) })));
  await waitFor('summary rows', () => count(db.pool, "SELECT count(*)::int AS n FROM analytics_events WHERE session_id = 'summary'"), { until: (n) => n === 60 });
  const grouped = `SELECT project_id, date_trunc('minute', "timestamp") AS bucket, event_type, page_url, is_bot, count(*)::bigint AS event_count
    FROM analytics_events GROUP BY 1, 2, 3, 4, 5`;
  const diff = `SELECT count(*)::int AS n FROM ((SELECT * FROM analytics_summary EXCEPT ALL ${grouped}) UNION ALL (${grouped} EXCEPT ALL SELECT * FROM analytics_summary)) d`;
  // The pipeline refreshes the plain-PostgreSQL view on its own timer (500 ms here).
  await waitFor('summary refresh', () => count(db.pool, diff), { until: (n) => n === 0, timeoutMs: 30_000 });
  assert.equal(await count(db.pool, 'SELECT sum(event_count)::int AS n FROM analytics_summary'), await count(db.pool));
});

test('events are per project: the same event_id in two projects is stored twice, a replay within a project once', async () => {
  // b sorts before a.
  const [a, b] = ['5b0c3c1e-7f2a-4d3b-9c4d-0123456789ab', '0f6e2d4c-1a3b-4c5d-8e9f-abcdef012345'];
  const shared = collectedEvent({ session_id: 'tenants' });
  const inA = { ...shared, project_id: a, user_id: 'user-1', anonymous_id: 'anon-1' };
  const inB = { ...shared, project_id: b };
  // A replay in A with a new receipt time (a collector retry) and a record with no project.
  const replayA = { ...inA, timestamp: new Date(Date.parse(shared.timestamp) + 1000).toISOString(), received_at: new Date().toISOString() };
  const noProject = collectedEvent({ session_id: 'tenants' });
  const badProject = { ...collectedEvent({ session_id: 'tenants' }), project_id: 'acme' };
  const marker = collectedEvent({ session_id: 'tenants', event_type: 'marker', project_id: a });
  await produce(kafka, topic, [inA, inB, inA, replayA, noProject, badProject, marker].map((e) => ({ key: 'tenants', value: JSON.stringify(e) })));
  await waitFor('marker row', () => count(db.pool, `SELECT count(*)::int AS n FROM analytics_events WHERE event_id = '${marker.event_id}'`), { until: (n) => n === 1 });

  const { rows } = await db.pool.query<{ project_id: string; user_id: string | null; anonymous_id: string | null }>(
    'SELECT project_id, user_id, anonymous_id FROM analytics_events WHERE event_id = $1 ORDER BY project_id',
    [shared.event_id],
  );
  assert.deepEqual(rows, [
    { project_id: b, user_id: null, anonymous_id: null },
    { project_id: a, user_id: 'user-1', anonymous_id: 'anon-1' },
  ]);
  const ids = await db.pool.query('SELECT project_id FROM analytics_event_ids WHERE event_id = $1 ORDER BY 1', [shared.event_id]);
  assert.deepEqual(ids.rows.map((r) => r.project_id), [b, a]);
  assert.equal(await count(db.pool, `SELECT count(*)::int AS n FROM analytics_events WHERE event_id = '${noProject.event_id}' AND project_id = '${DEFAULT_PROJECT_ID}'`), 1);
  // A project id that is not a UUID is dead-lettered with its reason; its project is unknown.
  const rejected = await db.pool.query("SELECT project_id, detail, convert_from(raw_value, 'UTF8') AS raw FROM analytics_events_rejected WHERE reason = 'invalid_project_id'");
  assert.equal(rejected.rows.length, 1);
  assert.deepEqual([rejected.rows[0].project_id, rejected.rows[0].detail, JSON.parse(rejected.rows[0].raw).event_id], [null, 'project_id is not a UUID', badProject.event_id]);
  assert.equal(await count(db.pool, `SELECT count(*)::int AS n FROM analytics_events WHERE event_id = '${badProject.event_id}'`), 0);
});

test('a rejected record carries its project when it is known', async () => {
  const project = '5b0c3c1e-7f2a-4d3b-9c4d-0123456789ab';
  const marker = collectedEvent({ session_id: 'rejected-project', project_id: project });
  await produce(kafka, topic, [
    { key: 'rejected-project', value: JSON.stringify({ page_url: 'https://x.example/', project_id: project, note: 'no event_type' }) },
    { key: 'rejected-project', value: JSON.stringify({ page_url: 'https://x.example/', note: 'no event_type, no project' }) },
    { key: 'rejected-project', value: JSON.stringify(marker) },
  ]);
  await waitFor('marker row', () => count(db.pool, `SELECT count(*)::int AS n FROM analytics_events WHERE event_id = '${marker.event_id}'`), { until: (n) => n === 1 });
  const { rows } = await db.pool.query<{ project_id: string | null; note: string }>(
    "SELECT project_id, convert_from(raw_value, 'UTF8')::jsonb ->> 'note' AS note FROM analytics_events_rejected WHERE convert_from(raw_value, 'UTF8') LIKE '%no event_type%' ORDER BY kafka_offset",
  );
  assert.deepEqual(rows, [
    { project_id: project, note: 'no event_type' },
    { project_id: DEFAULT_PROJECT_ID, note: 'no event_type, no project' },
  ]);
});

test('records marked canonical: the collector\'s load on the fast path, forged marks exactly as unmarked records', async () => {
  const fastBefore = (await pipeline.metrics.canonical.get()).values[0]?.value ?? 0;
  const hostile = 'tab\there\nnew\\line \\. \r end 😀';
  const genuine = [collectedEvent({ session_id: 'forged', page_title: hostile, button_id: '\\.', metadata: { hostile, n: 0.30000000000000004 } }), collectedEvent({ session_id: 'forged' })];
  const good = collectedEvent({ session_id: 'forged' });
  const mark = canonicalMessage(good).headers;
  const forged = [
    // Poison under the mark: dead-lettered for the same reasons as unmarked (see the poison test).
    Buffer.from('{not json'),
    Buffer.from('[1,2,3]'),
    Buffer.from(JSON.stringify({ page_url: 'https://x.example/', note: 'forged, no event_type' })),
    Buffer.concat([Buffer.from('{"event_type":"x","page_url":"https://x.example/'), Buffer.from([0xff]), Buffer.from('"}')]),
    // Out of the contract under the mark: repaired on the full path as any other producer's record.
    Buffer.from(JSON.stringify({ ...collectedEvent({ session_id: 'forged' }), event_type: 'forged_nul', page_url: 'https://x.example/\u0000nul', page_title: 'lone \uD800 surrogate' })),
  ];
  await produce(kafka, topic, [...genuine.map(canonicalMessage), ...forged.map((value) => ({ key: 'forged', value, headers: mark })), canonicalMessage(good)]);
  await waitFor('the last genuine row', () => count(db.pool, `SELECT count(*)::int AS n FROM analytics_events WHERE event_id = '${good.event_id}'`), { until: (n) => n === 1 });

  const { rows } = await db.pool.query('SELECT event_id, page_title, button_id, metadata FROM analytics_events WHERE event_id = $1', [genuine[0]!.event_id]);
  assert.deepEqual(rows, [{ event_id: genuine[0]!.event_id, page_title: hostile, button_id: '\\.', metadata: { hostile, n: 0.30000000000000004 } }]);
  const repaired = await db.pool.query("SELECT page_url, page_title FROM analytics_events WHERE event_type = 'forged_nul'");
  assert.deepEqual(repaired.rows, [{ page_url: 'https://x.example/nul', page_title: 'lone \uFFFD surrogate' }]);
  const rejected = await db.pool.query<{ reason: string }>("SELECT reason FROM analytics_events_rejected WHERE kafka_key = 'forged' ORDER BY kafka_offset");
  assert.deepEqual(rejected.rows.map((r) => r.reason), ['invalid_json', 'not_an_object', 'missing_event_type', 'invalid_utf8']);
  // The three genuine records, and nothing forged, took the fast path.
  assert.equal(((await pipeline.metrics.canonical.get()).values[0]?.value ?? 0) - fastBefore, 3);
});
