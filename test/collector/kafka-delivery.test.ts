// Over real HTTP into the real broker: the design's curl body arrives keyed by its visitor, and
// 100 concurrent posts (sharing micro-batches) all arrive exactly as acknowledged.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../collector/src/app.ts';
import { DEFAULT_PROJECT_ID, validateCollectedEvent } from '#contract';
import { createTopic, deleteTopics, testKafka } from '../support/kafka.ts';
import { waitFor } from '../support/service-kit.ts';
import { consumeRecords, silentLogger, startCollectorApp, testConfig, testPublisher } from './helpers.ts';

let app: FastifyInstance;
let close: () => Promise<void>;
let base: string;
const kafka = await testKafka('collector-delivery-test');
const topics: string[] = [];

before(async () => {
  const topic = await createTopic(kafka, 'test-collector-delivery');
  topics.push(topic);
  ({ app, close } = await startCollectorApp({ kafkaTopic: topic, rateLimitMax: 0 }));
  base = await app.listen({ port: 0, host: '127.0.0.1' });
});

after(async () => {
  await close();
  await deleteTopics(kafka, topics);
});

test('the design curl body arrives on the topic in the default project, keyed by project and visitor id', async () => {
  const curlBody =
    '{"event_type":"button_click","page_url":"http://test.com/page","page_title":"Test Page","button_id":"test-button","session_id":"test-session-123","user_agent":"curl/7.0"}';
  const res = await fetch(`${base}/analytics`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: curlBody });
  assert.equal(res.status, 200);
  const { eventId } = (await res.json()) as { eventId: string };

  const [record] = await consumeRecords(kafka, topics[0]!, 1);
  // The visitor: a hash of the project, the client's address and the user agent; the address itself is nowhere.
  assert.match(String(record!.value.visitor_id), /^h:[0-9a-f]{32}$/);
  assert.equal(record!.key, `${DEFAULT_PROJECT_ID}:${String(record!.value.visitor_id)}`);
  assert.ok(!JSON.stringify(record).includes('127.0.0.1'), 'no address in the record');
  assert.equal(record!.value.event_id, eventId);
  const valid = validateCollectedEvent(record!.value);
  assert.ok(valid.ok, JSON.stringify(valid));
  assert.deepEqual(
    { ...record!.value, event_id: undefined, timestamp: undefined, received_at: undefined, visitor_id: undefined },
    {
      ...JSON.parse(curlBody),
      event_id: undefined,
      timestamp: undefined,
      received_at: undefined,
      visitor_id: undefined,
      project_id: DEFAULT_PROJECT_ID,
      // Derived at ingest: isbot flags curl, which names no browser bowser knows.
      page_path: '/page',
      device_type: 'unknown',
      is_bot: true,
    },
  );
});

test('100 concurrent posts are all acknowledged and all arrive, each once', async () => {
  const topic = await createTopic(kafka, 'test-collector-concurrent');
  topics.push(topic);
  const config = testConfig({ kafkaTopic: topic, rateLimitMax: 0 });
  const pub = testPublisher(config);
  const batches: number[] = [];
  pub.onFlush((o) => batches.push(o.records));
  const concurrent = await buildApp({ config, publisher: pub, logger: silentLogger, docs: false });
  const url = await concurrent.listen({ port: 0, host: '127.0.0.1' });
  try {
    await waitFor('kafka ready', () => pub.isReady());
    const responses = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        fetch(`${url}/analytics`, {
          method: 'POST',
          // Half as sendBeacon would send them.
          headers: { 'Content-Type': i % 2 === 0 ? 'application/json' : 'text/plain;charset=UTF-8' },
          body: JSON.stringify({ event_type: 'page_view', page_url: `http://test.com/p/${i}`, session_id: `s-${i % 7}` }),
        }).then(async (r) => ({ status: r.status, body: (await r.json()) as { eventId: string } })),
      ),
    );
    assert.deepEqual([...new Set(responses.map((r) => r.status))], [200]);
    const ids = responses.map((r) => r.body.eventId);

    const records = await consumeRecords(kafka, topic, 100);
    assert.equal(records.length, 100);
    assert.deepEqual(records.map((r) => r.value.event_id).sort(), [...ids].sort());
    // One address and one user agent: one visitor, so one key and one partition for all of them.
    assert.deepEqual([...new Set(records.map((r) => r.key))], [`${DEFAULT_PROJECT_ID}:${String(records[0]!.value.visitor_id)}`]);
    assert.equal(new Set(records.map((r) => r.partition)).size, 1);
    // Micro-batching: the 100 requests shared fewer produce calls than there were requests.
    assert.equal(batches.reduce((a, b) => a + b, 0), 100);
    assert.ok(batches.length < 100, `produce calls: ${batches.length}`);
  } finally {
    await concurrent.close();
    await pub.close();
  }
});

test('far-future and very old client timestamps are clamped, flagged and still stored', async () => {
  const topic = await createTopic(kafka, 'test-collector-clock');
  topics.push(topic);
  const config = testConfig({ kafkaTopic: topic });
  const pub = testPublisher(config);
  const clock = await buildApp({ config, publisher: pub, logger: silentLogger, docs: false });
  try {
    await waitFor('kafka ready', () => pub.isReady());
    const sent = [
      { event_type: 'page_view', page_url: 'http://test.com/future', session_id: 'clock', timestamp: '2099-01-01T00:00:00Z' },
      { event_type: 'page_view', page_url: 'http://test.com/past', session_id: 'clock', timestamp: '2001-01-01T00:00:00Z' },
      { event_type: 'page_view', page_url: 'http://test.com/now', session_id: 'clock', timestamp: new Date().toISOString() },
    ];
    const res = await clock.inject({ method: 'POST', url: '/analytics', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(sent) });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().accepted, 3);

    const records = await consumeRecords(kafka, topic, 3);
    const byPage = new Map(records.map((r) => [r.value.page_url, r]));
    const future = byPage.get('http://test.com/future')!;
    assert.equal(future.value.timestamp_adjustment, 'clamped_future');
    assert.equal(future.value.client_timestamp, '2099-01-01T00:00:00Z');
    assert.equal(future.value.timestamp, future.value.received_at);
    const past = byPage.get('http://test.com/past')!;
    assert.equal(past.value.timestamp_adjustment, 'clamped_past');
    assert.equal(past.value.client_timestamp, '2001-01-01T00:00:00Z');
    const now = byPage.get('http://test.com/now')!;
    assert.equal(now.value.timestamp_adjustment, undefined);
    assert.equal(now.value.timestamp, sent[2]!.timestamp);
    for (const r of records) assert.equal(Number(r.timestamp), Date.parse(r.value.received_at as string));
  } finally {
    await clock.close();
    await pub.close();
  }
});
