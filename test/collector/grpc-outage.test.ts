// Kafka stopped in the middle of a gRPC stream, on a PRIVATE broker (own ports and run directory;
// the shared Kafka is never touched), with the collector's default settings: the stream is
// answered UNAVAILABLE within 1 s of the broker going away, with the summary in the
// x-ingest-summary trailer and grpc-retry-pushback-ms, and every message up to last_acked_line is
// in the topic once the broker is back.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { status } from '@grpc/grpc-js';
import { Kafka, logLevel } from 'kafkajs';
import { TOPICS } from '#contract';
import { buildApp } from '../../collector/src/app.ts';
import { loadCollectorConfig } from '../../collector/src/config.ts';
import { startGrpcServer } from '../../collector/src/grpc/grpc-server.ts';
import { loadIngestPackage } from '../../collector/src/grpc/ingest-proto.ts';
import { RETRY_PUSHBACK_TRAILER } from '../../collector/src/grpc/ingest-status.ts';
import { createKafkaEventProducer } from '../../collector/src/kafka/event-producer.ts';
import { toEnv } from '../../lib/service-manifest.ts';
import { credentials } from '@grpc/grpc-js';
import { startPrivateKafka, whenBrokerServes } from '../chaos/private-services.ts';
import { waitFor } from '../support/service-kit.ts';
import { portOpen } from '../support/services.ts';
import { capturingLogger, eventIdsUntil, silentLogger } from './helpers.ts';
import { eventMessage, keyMetadata, openStream } from './grpc-helpers.ts';
import { seedTenants } from './tenants.ts';

const cleanups: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

test('Kafka stopped mid-stream: UNAVAILABLE within 1 s with the summary and retry pushback; every message up to last_acked_line is in the topic', async (t) => {
  const kafka = await startPrivateKafka('analytics-grpc-outage', cleanups);
  const tenants = await seedTenants();
  cleanups.push(() => tenants.close());

  // Default collector settings: the bound must hold as shipped.
  const config = loadCollectorConfig(toEnv({ kafkaBrokers: kafka.broker, collectorHost: '127.0.0.1', grpcPort: 0, logLevel: 'silent' }));
  const publisher = createKafkaEventProducer(config, silentLogger);
  const app = await buildApp({ config, publisher, logger: silentLogger, directory: tenants.directory, docs: false });
  // The gRPC server's warnings, to check that the UNAVAILABLE answer is logged with its reason.
  const { logger: grpcLogger, lines: warnings } = capturingLogger();
  const grpc = await startGrpcServer(app.ingestion, config, grpcLogger);
  const { Ingest } = loadIngestPackage();
  const client = new Ingest(`127.0.0.1:${grpc.port}`, credentials.createInsecure());
  cleanups.push(async () => {
    client.close();
    await grpc.close(1000);
    await app.close();
    await publisher.close();
  });
  await waitFor('collector ready', () => publisher.isReady());

  const { call, answer } = openStream(client, keyMetadata(tenants.shop.ingestKey));
  const sent: string[] = [];
  let answered = 0;
  void answer.then(() => (answered = Date.now()));
  // A producer sending steadily (about 2,000 messages/s) until the stream is answered.
  const writer = (async () => {
    for (let i = 0; answered === 0; i++) {
      const m = eventMessage(i, { page_url: `https://shop.example/outage/${i}` });
      sent.push(String(m.event_id));
      if (!call.write(m)) await Promise.race([new Promise((r) => call.once('drain', r)), answer]);
      if (i % 20 === 19) await new Promise((r) => setTimeout(r, 10));
    }
  })();
  await waitFor('a few thousand messages sent', () => sent.length >= 3000, { intervalMs: 50 });
  const stopping = Date.now();
  const stopped = kafka.stop();
  // The broker is gone once its port no longer accepts connections.
  while (await portOpen('127.0.0.1', kafka.port, 200)) await new Promise((r) => setTimeout(r, 20));
  const goneAt = Date.now();
  await stopped;
  const result = await answer;
  await writer;
  // Negative: answered while the broker was still shutting down (it stops taking produce requests first).
  const waited = answered - goneAt;
  t.diagnostic(`stop began ${goneAt - stopping} ms before the port closed; answered ${waited} ms after it; ${sent.length} messages sent, last_acked_line ${result.summary?.last_acked_line}`);
  assert.equal(status[result.code], 'UNAVAILABLE', result.details);
  assert.deepEqual(
    warnings.filter((w) => w['msg'] === 'gRPC stream answered with an error status').map((w) => [w['code'], w['details']]),
    [['UNAVAILABLE', result.details]],
    'the answer is logged as a warning with its reason',
  );
  assert.ok(waited <= 1000, `answered ${waited} ms after the broker stopped (bound 1000)`);
  assert.ok(Number(result.trailers.get(RETRY_PUSHBACK_TRAILER)[0]) > 0, 'grpc-retry-pushback-ms set');
  const summary = result.summary!;
  assert.ok(summary.last_acked_line > 0 && summary.last_acked_line < sent.length, JSON.stringify(summary));
  assert.equal(summary.accepted, summary.last_acked_line);
  assert.equal(summary.rejected, 0);

  // Back: every message up to last_acked_line was acknowledged, so it is in the topic.
  const serving = whenBrokerServes(kafka.broker);
  serving.catch(() => undefined);
  await kafka.start();
  await serving;
  const reader = new Kafka({ clientId: 'grpc-outage-reader', brokers: [kafka.broker], logLevel: logLevel.NOTHING });
  const acknowledged = sent.slice(0, summary.last_acked_line);
  const seen = await eventIdsUntil(reader, TOPICS.events, new Set(acknowledged));
  const missing = acknowledged.filter((id) => !seen.has(id));
  assert.deepEqual(missing, [], 'acknowledged messages missing from the topic');
});
