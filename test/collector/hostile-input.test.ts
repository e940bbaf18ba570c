// Property test: arbitrary and hostile bodies never crash the collector or get a 5xx; every
// refusal names a field; and everything that reaches Kafka satisfies the contract.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../collector/src/app.ts';
import type { EventPublisher } from '../../collector/src/events/publisher.ts';
import { validateCollectedEvent } from '#contract';
import { createTopic, deleteTopics, testKafka } from '../support/kafka.ts';
import { KAFKA_BROKER } from '../support/services.ts';
import { consumeRecords, silentLogger, testConfig, testPublisher, waitFor } from './helpers.ts';

let app: FastifyInstance;
let publisher: EventPublisher;
let topic: string;
const kafka = await testKafka('collector-hostile-test');

before(async () => {
  topic = await createTopic(kafka, 'test-collector-hostile');
  const config = testConfig({ kafkaBrokers: KAFKA_BROKER, kafkaTopic: topic, rateLimitMax: 0 });
  publisher = testPublisher(config);
  app = await buildApp({ config, publisher, logger: silentLogger, docs: false });
  await waitFor('kafka ready', () => publisher.isReady());
});

after(async () => {
  await app.close();
  await publisher.close();
  await deleteTopics(kafka, [topic]);
});

const hostileString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.constantFrom('\u0000', '\uD800', 'a\uDC00b', '__proto__', 'http://', 'https://x.test/\u0000', 'x'.repeat(600)),
);
const hostileKey = fc.oneof(fc.string(), fc.constantFrom('__proto__', 'constructor', 'prototype', '\u0000', '\uD800'));
const hostileValue = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, hostileString, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), tie('object'), tie('array')),
  object: fc.dictionary(hostileKey, tie('value'), { maxKeys: 4 }),
  array: fc.array(tie('value'), { maxLength: 4 }),
})).value;

const validEvent = fc.record(
  {
    event_type: fc.constantFrom('page_view', 'button_click', 'navigation_click', 'page_unload', 'custom.event:v1'),
    page_url: fc.webUrl({ validSchemes: ['http', 'https'] }).filter((u) => u.length <= 500),
    // eslint-disable-next-line no-control-regex -- NUL is exactly what the filter removes
    session_id: fc.string({ minLength: 1, maxLength: 100 }).filter((s) => !/[\u0000\uD800-\uDFFF]/.test(s)),
    timestamp: fc.date({ min: new Date('1990-01-01'), max: new Date('2090-01-01'), noInvalidDate: true }).map((d) => d.toISOString()),
  },
  { requiredKeys: ['event_type', 'page_url'] },
);
// A valid event with one field replaced or added by something hostile.
const mutatedEvent = fc.tuple(validEvent, fc.oneof(hostileKey, fc.constantFrom('page_url', 'event_type', 'metadata', 'event_id')), hostileValue).map(
  ([event, key, value]) => Object.defineProperty({ ...event }, key, { value, enumerable: true, configurable: true, writable: true }),
);
const body = fc.oneof(
  hostileValue.map((v) => JSON.stringify(v) ?? 'null'),
  mutatedEvent.map((v) => JSON.stringify(v)),
  validEvent.map((v) => JSON.stringify(v)),
  fc.array(fc.oneof(validEvent, mutatedEvent), { minLength: 1, maxLength: 5 }).map((v) => JSON.stringify(v)),
  fc.string(), // usually not JSON at all
);

test('hostile bodies: 200 or 4xx naming fields, never 5xx; only valid events reach Kafka', async () => {
  let accepted = 0;
  await fc.assert(
    fc.asyncProperty(body, fc.constantFrom('application/json', 'text/plain;charset=UTF-8'), async (payload, contentType) => {
      const res = await app.inject({ method: 'POST', url: '/analytics', headers: { 'content-type': contentType }, payload });
      assert.ok(res.statusCode === 200 || res.statusCode === 400, `status ${res.statusCode} for ${payload}: ${res.body}`);
      const json = res.json();
      if (res.statusCode === 400) {
        assert.equal(json.success, false);
        assert.ok(json.errors.length > 0);
        for (const e of json.errors) assert.match(e.field, /^\//);
      } else {
        accepted += json.eventId !== undefined ? 1 : json.accepted;
      }
    }),
    { numRuns: 300, seed: 20261122 },
  );
  assert.ok(accepted > 0, 'some generated events were valid');
  const health = await app.inject({ method: 'GET', url: '/health' });
  assert.equal(health.statusCode, 200, 'still serving');

  const records = await consumeRecords(kafka, topic, accepted);
  assert.equal(records.length, accepted);
  for (const r of records) {
    const valid = validateCollectedEvent(r.value);
    assert.ok(valid.ok, JSON.stringify(valid));
  }
});
