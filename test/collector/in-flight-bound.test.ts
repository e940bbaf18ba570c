// The collector's bound on record bytes awaiting Kafka (MAX_IN_FLIGHT_BYTES), through app.inject()
// into the real broker: concurrent HTTP requests over the bound are answered 503 overloaded with
// Retry-After and nothing of theirs is stored; concurrent NDJSON streams over it wait instead and
// deliver every line; the topic then holds exactly what was acknowledged, once.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Kafka } from 'kafkajs';
import { buildApp } from '../../collector/src/app.ts';
import type { EventPublisher } from '../../collector/src/events/publisher.ts';
import { KEYS, twoTenants } from '../../collector/src/projects/fixtures.ts';
import { createTopic, deleteTopics, testKafka } from '../support/kafka.ts';
import { waitFor } from '../support/service-kit.ts';
import { capturingLogger, consumeRecords, testConfig, testPublisher } from './helpers.ts';

let kafka: Kafka;
let topic: string;
let publisher: EventPublisher;
let app: FastifyInstance;
const key = { 'x-api-key': KEYS.shopIngest[0] };
// The app's warnings, to check that each 503 is logged with its reason.
const { logger, lines: warnings } = capturingLogger();

// A bound of 8 KiB: a batch of 50 of these events is about 25 KiB of records, so a second request
// in flight is over it (a call alone always passes).
before(async () => {
  kafka = await testKafka('collector-in-flight-test');
  topic = await createTopic(kafka, 'test-collector-in-flight');
  const config = testConfig({ kafkaTopic: topic, maxInFlightBytes: 8 * 1024, streamChunkSize: 50, batchLingerMs: 20 });
  publisher = testPublisher(config);
  app = await buildApp({ config, publisher, directory: twoTenants(), logger, docs: false });
  await waitFor('kafka ready', () => publisher.isReady());
});

after(async () => {
  await app?.close();
  await publisher?.close();
  await deleteTopics(kafka, [topic]);
});

const serverEvent = (tag: string, n: number) => ({
  event_id: randomUUID(),
  event_type: 'page_view',
  page_url: `https://shop.example/${tag}/${n}`,
  session_id: `${tag}-${n % 5}`,
  ip: '203.0.113.7',
  user_agent: 'Mozilla/5.0 (X11; Linux x86_64)',
});

const acknowledged = new Set<string>();
const refused = new Set<string>();

test('requests over the bound are answered 503 overloaded with Retry-After; the others are acknowledged', async () => {
  const batches = Array.from({ length: 10 }, (_, b) => Array.from({ length: 50 }, (_, i) => serverEvent(`post-${b}`, i)));
  const answers = await Promise.all(
    batches.map((events) => app.inject({ method: 'POST', url: '/api/v1/events', headers: { 'content-type': 'application/json', ...key }, payload: JSON.stringify(events) })),
  );
  answers.forEach((res, b) => {
    const ids = batches[b]!.map((e) => e.event_id);
    if (res.statusCode === 200) {
      assert.deepEqual(res.json().eventIds, ids);
      for (const id of ids) acknowledged.add(id);
    } else {
      assert.equal(res.statusCode, 503, res.body);
      assert.equal(res.json().error, 'overloaded');
      assert.equal(res.headers['retry-after'], '5');
      for (const id of ids) refused.add(id);
    }
  });
  assert.ok(acknowledged.size > 0, 'the first request in flight is admitted');
  assert.ok(refused.size > 0, 'ten 25 KiB requests at once are over an 8 KiB bound');
  // Each 503 is logged once, with the reason and message its body gave the client.
  const refusals = answers.filter((res) => res.statusCode === 503);
  const logged = warnings.filter((w) => w['msg'] === 'request answered with 5xx');
  assert.deepEqual(
    logged.map((w) => [w['status'], w['url'], w['error'], w['message']]),
    refusals.map((res) => [503, '/api/v1/events', 'overloaded', res.json().message]),
  );
});

test('streams over the bound wait for room instead: every line of four concurrent streams is acknowledged', async () => {
  const streams = Array.from({ length: 4 }, (_, s) => Array.from({ length: 400 }, (_, i) => serverEvent(`stream-${s}`, i)));
  const answers = await Promise.all(
    streams.map((events) =>
      app.inject({
        method: 'POST',
        url: '/api/v1/events/stream',
        headers: { 'content-type': 'application/x-ndjson', ...key },
        payload: `${events.map((e) => JSON.stringify(e)).join('\n')}\n`,
      }),
    ),
  );
  answers.forEach((res, s) => {
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), { accepted: 400, rejected: 0, errors: [], last_acked_line: 400 });
    for (const e of streams[s]!) acknowledged.add(e.event_id);
  });
});

test('the topic holds every acknowledged event once and nothing of the refused requests', async () => {
  const records = await consumeRecords(kafka, topic, acknowledged.size);
  // Anything refused but written anyway would arrive after the acknowledged ones: give it time.
  await new Promise((r) => setTimeout(r, 1000));
  const again = await consumeRecords(kafka, topic, acknowledged.size);
  const ids = again.map((r) => String(r.value.event_id));
  assert.equal(records.length, acknowledged.size);
  assert.equal(ids.length, acknowledged.size, 'no record beyond the acknowledged ones');
  assert.deepEqual(new Set(ids), acknowledged);
  for (const id of ids) assert.ok(!refused.has(id), `refused event ${id} is not stored`);
});
