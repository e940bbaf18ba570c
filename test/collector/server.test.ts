// The entry point as ops run it: a real process that serves, and on SIGTERM finishes the
// request in flight, flushes the producer and exits 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import { createTopic, deleteTopics, testKafka } from '../support/kafka.ts';
import { freePort, KAFKA_BROKER, ROOT } from '../support/services.ts';
import { consumeRecords, waitFor } from './helpers.ts';

test('server.ts serves, and SIGTERM drains in-flight work and exits 0', async () => {
  const kafka = await testKafka('collector-server-test');
  const topic = await createTopic(kafka, 'test-collector-server');
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'collector/src/server.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      COLLECTOR_PORT: String(port),
      COLLECTOR_HOST: '127.0.0.1',
      KAFKA_BROKERS: KAFKA_BROKER,
      KAFKA_TOPIC: topic,
      LOG_LEVEL: 'info',
      // A starved CI machine must not turn a slow ack into a 503 here; this test is about shutdown.
      PRODUCE_TIMEOUT_MS: '10000',
      KAFKA_REQUEST_TIMEOUT_MS: '15000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let logs = '';
  child.stdout.on('data', (d: Buffer) => (logs += d.toString()));
  child.stderr.on('data', (d: Buffer) => (logs += d.toString()));
  const exited = once(child, 'exit') as Promise<[number | null, string | null]>;
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitFor('collector healthy', async () => {
      const res = await fetch(`${base}/health`).catch(() => undefined);
      return res?.status === 200;
    });
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
    child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    req.end(payload.subarray(100));
    const res = await response;
    assert.equal(res.status, 200, `${res.body}\n${logs}`);
    assert.equal((JSON.parse(res.body) as { accepted: number }).accepted, 200);

    const [code] = await exited;
    assert.equal(code, 0, logs);
    assert.match(logs, /"msg":"stopped"/);
    const records = await consumeRecords(kafka, topic, 200);
    assert.equal(records.length, 200);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    await deleteTopics(kafka, [topic]);
  }
});
