// Kafka stopped in the middle of an NDJSON stream, on a PRIVATE broker (own ports and run
// directory; the shared Kafka is never touched), with the collector's default settings: the stream
// is answered 503 + Retry-After within 1 s with last_acked_line, and every line up to it is in the
// topic once the broker is back, so a client resuming from last_acked_line + 1 loses nothing.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import { TOPICS } from '#contract';
import { buildApp } from '../../collector/src/app.ts';
import { loadCollectorConfig } from '../../collector/src/config.ts';
import { createKafkaEventProducer } from '../../collector/src/kafka/event-producer.ts';
import { toEnv } from '../../lib/service-manifest.ts';
import { startPrivateKafka } from '../chaos/private-services.ts';
import { waitFor } from '../support/service-kit.ts';
import { eventIdsUntil, silentLogger } from './helpers.ts';
import { lineEvent, openStream } from './ndjson-client.ts';
import { seedTenants } from './tenants.ts';

const cleanups: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

test('Kafka stopped mid-stream: 503 + Retry-After within 1 s with last_acked_line; every line up to it is in the topic', { timeout: 180_000 }, async (t) => {
  const kafka = await startPrivateKafka('analytics-ndjson-outage', cleanups);
  const tenants = await seedTenants();
  cleanups.push(() => tenants.close());

  // Default collector settings: the bound must hold as shipped.
  const config = loadCollectorConfig(toEnv({ kafkaBrokers: kafka.broker, logLevel: 'silent' }));
  const publisher = createKafkaEventProducer(config, silentLogger);
  const app = await buildApp({ config, publisher, directory: tenants.directory, logger: silentLogger, docs: false });
  cleanups.push(async () => {
    await app.close();
    await publisher.close();
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  await waitFor('collector ready', () => publisher.isReady());
  const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}/api/v1/events/stream`;

  // A steady producer: a line every 5 ms until the answer comes.
  const sent: string[] = [];
  const stream = openStream(url, { 'x-api-key': tenants.shop.ingestKey });
  let answered = false;
  const answer = stream.answer.then((r) => {
    answered = true;
    return { res: r, at: Date.now() };
  });
  const writer = (async () => {
    while (!answered) {
      const event = lineEvent(sent.length + 1, 'outage');
      sent.push(String(event.event_id));
      await stream.write(`${JSON.stringify(event)}\n`);
      await sleep(5);
    }
  })();
  await waitFor('lines flowing', () => sent.length >= 200);
  const stopping = Date.now();
  await kafka.stop();
  const stoppedAt = Date.now();
  const { res, at } = await answer;
  // Negative: answered while the broker was still shutting down (it stops taking records first).
  const ms = at - stoppedAt;
  await writer;
  stream.destroy();
  t.diagnostic(`broker stop took ${stoppedAt - stopping} ms; answered ${at - stopping} ms after the stop began (${ms} ms after it ended); ${sent.length} lines sent, last_acked_line ${res.body.last_acked_line}`);

  assert.equal(res.status, 503, JSON.stringify(res.body));
  assert.equal(res.body.error, 'kafka_unavailable');
  assert.ok(Number(res.headers['retry-after']) > 0, 'Retry-After set');
  assert.equal(res.headers.connection, 'close');
  assert.ok(ms <= 1000, `answered ${ms} ms after Kafka stopped (bound 1000)`);
  const acked = res.body.last_acked_line as number;
  assert.ok(acked >= 200, `the lines before the outage were acknowledged (last_acked_line ${acked})`);
  assert.equal(res.body.accepted, acked, 'every line was valid: each one up to last_acked_line was accepted');
  assert.match(res.body.message, new RegExp(`resend from line ${acked + 1}`));

  await kafka.start();
  // Read until every acknowledged line was seen: the topic also holds lines after last_acked_line
  // (written, their ack lost in the outage), so a count of records alone proves nothing.
  const reader = new Kafka({ clientId: 'ndjson-outage-reader', brokers: [kafka.broker], logLevel: logLevel.NOTHING });
  const inTopic = await eventIdsUntil(reader, TOPICS.events, new Set(sent.slice(0, acked)));
  assert.deepEqual(sent.slice(0, acked).filter((id) => !inTopic.has(id)), [], 'every line up to last_acked_line is in the topic');
});
