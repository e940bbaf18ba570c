// The collector process as ops run it (its bundle under plain node, through the service kit) with
// its gRPC listener: it logs the bound port, serves StreamEvents, and on SIGTERM lets an open
// stream finish (tryShutdown), flushes and exits 0; a taken gRPC port fails the boot, naming it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { credentials, status, type Client } from '@grpc/grpc-js';
import { loadIngestPackage } from '../../collector/src/grpc/ingest-proto.ts';
import { createTopic, deleteTopics, testKafka } from '../support/kafka.ts';
import { service } from '../support/service-kit.ts';
import { consumeRecords } from './helpers.ts';
import { eventMessage, keyMetadata, openStream } from './grpc-helpers.ts';
import { seedTenants } from './tenants.ts';

test('the collector process serves gRPC on its port and drains an open stream on SIGTERM', async () => {
  const kafka = await testKafka('collector-grpc-server-test');
  const topic = await createTopic(kafka, 'test-collector-grpc-server');
  const tenants = await seedTenants();
  const collector = await service('collector', {
    env: { kafkaTopic: topic, logLevel: 'info', databaseUrl: tenants.databaseUrl, apiKeyPepper: 'collector-test-pepper', produceTimeoutMs: 10_000, kafkaRequestTimeoutMs: 15_000 },
  });
  let client: Client | undefined;
  try {
    await collector.start();
    assert.match(collector.output(), new RegExp(`"port":${collector.ports.grpc}[,}].*gRPC ingestion listening`));
    const { Ingest } = loadIngestPackage();
    client = new Ingest(`127.0.0.1:${collector.ports.grpc}`, credentials.createInsecure());
    // The directory loads in the background after boot: wait until the key is known.
    const waitForKey = async () => {
      for (let i = 0; i < 100; i++) {
        const probe = openStream(client!, keyMetadata(tenants.shop.ingestKey));
        probe.call.end();
        const answer = await probe.answer;
        if (answer.code === status.OK) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`the collector never took the key\n${collector.tail()}`);
    };
    await waitForKey();

    const { call, answer } = openStream(client, keyMetadata(tenants.shop.ingestKey));
    const sent = Array.from({ length: 300 }, (_, i) => eventMessage(i, { page_url: `https://shop.example/drain/${i}` }));
    for (const m of sent.slice(0, 200)) call.write(m);
    // Sequencing only (no timing assertion): the stream is open in the server when SIGTERM lands.
    await new Promise((r) => setTimeout(r, 500));
    const stopped = collector.stop('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    for (const m of sent.slice(200)) call.write(m);
    call.end();
    const result = await answer;
    assert.equal(status[result.code], 'OK', `${result.details}\n${collector.tail()}`);
    assert.deepEqual(result.summary, { accepted: 300, rejected: 0, errors: [], last_acked_line: 300 });
    const { code } = await stopped;
    assert.equal(code, 0, collector.tail());
    const records = await consumeRecords(kafka, topic, 300);
    assert.deepEqual(new Set(records.map((r) => r.value.event_id)), new Set(sent.map((m) => m.event_id)));
  } finally {
    client?.close();
    await collector.stop('SIGKILL');
    await tenants.close();
    await deleteTopics(kafka, [topic]);
  }
});

test('a taken gRPC port fails the boot with a message naming it', async () => {
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const port = (blocker.address() as net.AddressInfo).port;
  const collector = await service('collector', { env: { grpcPort: port, logLevel: 'info' } });
  try {
    await assert.rejects(collector.start(), /exited/);
    const exit = await collector.exited;
    assert.equal(exit.code, 1, collector.tail());
    assert.match(collector.output(), new RegExp(`gRPC cannot listen on 127\\.0\\.0\\.1:${port}`));
  } finally {
    await collector.stop('SIGKILL');
    await new Promise((r) => blocker.close(r));
  }
});
