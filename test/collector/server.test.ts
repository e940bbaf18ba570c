// The entry point as ops run it (its bundle under plain node, through the service kit): a real
// process that serves, and on SIGTERM finishes the request in flight, flushes the producer and
// exits 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { createTopic, deleteTopics, testKafka } from '../support/kafka.ts';
import { service } from '../support/service-kit.ts';
import { consumeRecords } from './helpers.ts';

test('server.ts serves, and SIGTERM drains in-flight work and exits 0', async () => {
  const kafka = await testKafka('collector-server-test');
  const topic = await createTopic(kafka, 'test-collector-server');
  const collector = await service('collector', {
    env: {
      kafkaTopic: topic,
      logLevel: 'info',
      // A starved CI machine must not turn a slow ack into a 503 here; this test is about shutdown.
      produceTimeoutMs: 10_000,
      kafkaRequestTimeoutMs: 15_000,
    },
  });
  const base = collector.url;
  try {
    await collector.start();
    // A request whose body is still arriving when SIGTERM lands: it must complete with 200.
    const batch = Array.from({ length: 200 }, (_, i) => ({ event_type: 'page_view', page_url: `http://test.com/${i}`, session_id: `s-${i % 3}` }));
    const payload = Buffer.from(JSON.stringify(batch));
    const req = http.request(`${base}/analytics`, { method: 'POST', headers: { 'content-type': 'text/plain', 'content-length': payload.length } });
    const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
      req.on('response', (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
    });
    req.write(payload.subarray(0, 100));
    // Sequencing only (no timing assertion): let the server parse the headers before SIGTERM.
    await new Promise((r) => setTimeout(r, 1000));
    const stopped = collector.stop('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    req.end(payload.subarray(100));
    const res = await response;
    assert.equal(res.status, 200, `${res.body}\n${collector.tail()}`);
    assert.equal((JSON.parse(res.body) as { accepted: number }).accepted, 200);

    const { code } = await stopped;
    assert.equal(code, 0, collector.tail());
    assert.match(collector.output(), /"msg":"stopped"/);
    const records = await consumeRecords(kafka, topic, 200);
    assert.equal(records.length, 200);
  } finally {
    await collector.stop('SIGKILL');
    await deleteTopics(kafka, [topic]);
  }
});
