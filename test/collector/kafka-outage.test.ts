// Kafka outage on a PRIVATE broker (own ports and run dir; the shared one is never touched):
// accepted -> broker stopped -> 503 + Retry-After and /health false -> broker back -> accepted
// again without restarting the collector.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { Kafka, logLevel } from 'kafkajs';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../collector/src/app.ts';
import type { EventPublisher } from '../../collector/src/events/publisher.ts';
import { TOPICS } from '#contract';
import { freePorts, script } from '../support/services.ts';
import { consumeRecords, silentLogger, testConfig, testPublisher, waitFor } from './helpers.ts';

const runDir = `/tmp/collector-kafka-${randomBytes(4).toString('hex')}`;
let env: NodeJS.ProcessEnv;
let broker: string;
let app: FastifyInstance;
let publisher: EventPublisher;

const event = (n: number) => ({ event_type: 'page_view', page_url: `http://test.com/outage/${n}`, session_id: `outage-${n}` });
const post = (n: number) =>
  app.inject({ method: 'POST', url: '/analytics', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(event(n)) });
const health = async () => (await app.inject({ method: 'GET', url: '/health' })).json() as { kafkaReady: boolean };

before(async () => {
  const [port, controllerPort] = await freePorts(2);
  broker = `127.0.0.1:${port}`;
  env = { KAFKA_PORT: String(port), KAFKA_CONTROLLER_PORT: String(controllerPort), ANALYTICS_RUN_DIR: runDir };
  await script('kafka.sh', ['start'], env);
  const config = testConfig({ kafkaBrokers: broker, kafkaTopic: TOPICS.events, kafkaCheckIntervalMs: 500 });
  publisher = testPublisher(config);
  app = await buildApp({ config, publisher, logger: silentLogger, docs: false });
  await waitFor('kafka ready', () => publisher.isReady());
});

after(async () => {
  await app?.close();
  await publisher?.close();
  await script('kafka.sh', ['stop'], env).catch(() => undefined);
  await rm(runDir, { recursive: true, force: true });
});

test('Kafka stopped -> 503 with Retry-After and health false -> Kafka back -> accepted again', async () => {
  const first = await post(1);
  assert.equal(first.statusCode, 200);

  await script('kafka.sh', ['stop'], env);
  await waitFor('health to report kafka down', async () => !(await health()).kafkaReady);
  const healthDown = await app.inject({ method: 'GET', url: '/health' });
  assert.equal(healthDown.statusCode, 503);
  const rejected = await post(2);
  assert.equal(rejected.statusCode, 503);
  assert.equal(rejected.json().error, 'kafka_unavailable');
  assert.ok(Number(rejected.headers['retry-after']) > 0);

  await script('kafka.sh', ['start'], env);
  await waitFor('health to report kafka back', async () => (await health()).kafkaReady, 90_000);
  const again = await post(3);
  assert.equal(again.statusCode, 200);

  const kafka = new Kafka({ clientId: 'collector-outage-reader', brokers: [broker], logLevel: logLevel.NOTHING });
  const records = await consumeRecords(kafka, TOPICS.events, 2);
  const ids = records.map((r) => r.value.event_id);
  assert.ok(ids.includes(first.json().eventId), 'event acknowledged before the outage survived it');
  assert.ok(ids.includes(again.json().eventId), 'event acknowledged after recovery arrived');
  assert.ok(!records.some((r) => r.value.page_url === event(2).page_url), 'the rejected event was not written');
});
