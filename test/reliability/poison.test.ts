// Poison messages written straight to a private topic with Apache Kafka's own console producer
// (bin/kafka-console-producer): each lands in the dead-letter topic and analytics_events_rejected
// with its reason and its exact bytes, and valid events produced after them are stored.
// test/pipeline/load.test.ts covers a few poison shapes sent with kafkajs; this file covers the
// console-producer path and every kind the spec lists (not JSON, wrong schema, huge, empty,
// invalid UTF-8).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Partitioners } from 'kafkajs';
import type { Pipeline } from '../../pipeline/src/app.ts';
import { KAFKA_BROKER } from '../support/services.ts';
import { consoleProduce, readTopic } from './kafka-tools.ts';
import { waitFor } from '../support/service-kit.ts';
import { pipelineBed, startPipelineInProcess } from '../pipeline/helpers.ts';

// One partition: "after the poison" is then a real order, and a stuck poison would block it.
const bed = await pipelineBed('poison', { partitions: 1 });
const { kafka, db, topic, dlqTopic } = bed;
let pipeline: Pipeline;

before(async () => {
  pipeline = await startPipelineInProcess(bed, { pipelineSummaryRefreshMs: 0, logLevel: 'fatal' });
});

after(async () => {
  await pipeline?.stop();
  await bed.close();
});

const valid = (n: number) => {
  const now = new Date().toISOString();
  return { event_id: randomUUID(), event_type: 'page_view', page_url: `https://site.example/after-poison/${n}`, session_id: `poison-${n}`, timestamp: now, received_at: now };
};

// [what, line as the console producer reads it, reason the pipeline must give]
const POISON: [string, Buffer, string][] = [
  ['plain text', Buffer.from('this is not json'), 'invalid_json'],
  ['truncated JSON', Buffer.from('{"event_type":"page_view","page_url":"https://x.exa'), 'invalid_json'],
  ['JSON array', Buffer.from('[1,2,3]'), 'not_an_object'],
  ['JSON string', Buffer.from('"just a string"'), 'not_an_object'],
  ['JSON null', Buffer.from('null'), 'not_an_object'],
  ['JSON number', Buffer.from('42'), 'not_an_object'],
  ['wrong schema: no event_type', Buffer.from('{"page_url":"https://x.example/","title":"t"}'), 'missing_event_type'],
  ['wrong schema: event_type an object', Buffer.from('{"event_type":{"a":1},"page_url":"https://x.example/"}'), 'missing_event_type'],
  ['wrong schema: timestamp not a time', Buffer.from('{"event_type":"page_view","timestamp":"tuesday"}'), 'invalid_timestamp'],
  ['wrong schema: timestamp out of range', Buffer.from('{"event_type":"page_view","timestamp":1e300}'), 'timestamp_out_of_range'],
  ['empty', Buffer.alloc(0), 'empty_value'],
  ['huge, not JSON (900 KB)', Buffer.from('z'.repeat(900_000)), 'invalid_json'],
  ['deep: metadata nested 100,000 levels', Buffer.from(`{"event_type":"page_view","metadata":${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}}`), 'metadata_too_deep'],
  ['huge metadata (800 KB)', Buffer.from(JSON.stringify({ event_type: 'page_view', page_url: 'https://x.example/', metadata: { s: 'm'.repeat(800_000) } })), 'metadata_too_large'],
];

test('console-producer poison goes to the DLQ and the rejected table with its reason; later events are stored', async () => {
  // Invalid UTF-8 typed into the console producer: the tool decodes stdin as UTF-8, so it writes
  // U+FFFD in place of each bad byte; the record is still not JSON.
  const badUtf8Line = Buffer.from([0xff, 0xfe, 0x7b, 0xc3, 0x28, 0x80]);
  const after = [valid(1), valid(2), valid(3)];
  // All in one run, so the two near-1 MB records are fetched and dead-lettered together (they
  // once exceeded the broker's request limit as one DLQ request and stalled the partition).
  await consoleProduce(KAFKA_BROKER, topic, [...POISON.map(([, bytes]) => bytes), badUtf8Line, ...after.map((e) => Buffer.from(JSON.stringify(e)))]);

  // Truly invalid UTF-8 bytes need a byte-level producer; kafkajs writes them unchanged.
  const rawInvalid = Buffer.from([0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1, 0xf0, 0x90, 0x28, 0xbc, 0xff]);
  const last = valid(4);
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const badByteInJson = Buffer.concat([Buffer.from('{"event_type":"page_view","page_url":"https://x.example/","page_title":"caf'), Buffer.from([0xe9]), Buffer.from('"}')]);
  await producer.send({ topic, acks: -1, messages: [{ value: rawInvalid }, { value: badByteInJson }, { value: JSON.stringify(last) }] });
  await producer.disconnect();

  const ids = [...after, last].map((e) => e.event_id);
  await waitFor('valid events after the poison stored', async () => {
    const { rows } = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM analytics_events WHERE event_id = ANY($1::uuid[])', [ids]);
    return rows[0]!.n === ids.length;
  });
  assert.equal((await db.pool.query('SELECT count(*)::int AS n FROM analytics_events')).rows[0].n, ids.length, 'no poison became a row');

  const expected = [
    ...POISON.map(([what, bytes, reason]) => ({ what, bytes, reason })),
    { what: 'invalid UTF-8 via the console producer', bytes: Buffer.from(badUtf8Line.toString('utf8'), 'utf8'), reason: 'invalid_json' },
    { what: 'invalid UTF-8 bytes', bytes: rawInvalid, reason: 'invalid_utf8' },
    // Otherwise a valid event: refused, not stored with U+FFFD in place of the Latin-1 byte.
    { what: 'invalid UTF-8 inside a JSON event', bytes: badByteInJson, reason: 'invalid_utf8' },
  ];
  const { rows } = await db.pool.query<{ reason: string; raw: Buffer | null; offset: string; detail: string }>(
    'SELECT reason, raw_value AS raw, kafka_offset::text AS offset, detail FROM analytics_events_rejected WHERE kafka_topic = $1 ORDER BY kafka_offset',
    [topic],
  );
  assert.equal(rows.length, expected.length, JSON.stringify(rows.map((r) => r.reason)));
  expected.forEach((e, i) => {
    const row = rows[i]!;
    assert.equal(row.reason, e.reason, e.what);
    assert.ok(row.detail.length > 0, `${e.what}: detail`);
    assert.ok((row.raw ?? Buffer.alloc(0)).equals(e.bytes), `${e.what}: raw bytes kept exactly`);
  });
  // The console producer really wrote replacement characters, and kafkajs the bad bytes.
  assert.ok(expected[POISON.length]!.bytes.includes(Buffer.from('\uFFFD')));
  assert.equal(rawInvalid.toString('utf8').includes('\uFFFD'), true);

  const dead = await readTopic(kafka, dlqTopic, expected.length);
  assert.equal(dead.length, expected.length);
  const bySource = new Map(dead.map((d) => [d.headers['x-source-offset'], d]));
  for (const row of rows) {
    const d = bySource.get(row.offset);
    assert.ok(d, `dead letter for offset ${row.offset}`);
    assert.equal(d.headers['x-reject-reason'], row.reason);
    assert.equal(d.headers['x-source-topic'], topic);
    assert.ok((d.value ?? Buffer.alloc(0)).equals(row.raw ?? Buffer.alloc(0)), `dead letter ${row.offset} carries the original bytes`);
  }
  assert.deepEqual(pipeline.readiness(), { kafka: true, database: true }, 'the pipeline stays up');
});
