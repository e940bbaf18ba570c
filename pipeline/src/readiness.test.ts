// /ready and the pipeline_ready gauge read one readiness object, so they agree in every state,
// including Kafka going silent without any event.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMetrics } from './metrics.ts';
import { startOpsServer } from './ops-server.ts';
import { createReadiness } from './readiness.ts';

test('/ready and the pipeline_ready gauge agree in every state', async () => {
  let now = 1_000_000;
  const readiness = createReadiness({ kafkaSilenceMs: 15_000, now: () => now });
  const metrics = createMetrics(readiness.ready);
  const ops = await startOpsServer('127.0.0.1', 0, readiness.current, metrics.registry);
  const observe = async () => {
    const ready = await fetch(`http://127.0.0.1:${ops.port}/ready`);
    const body = (await ready.json()) as { ready: boolean; kafka: boolean; database: boolean };
    const scraped = await (await fetch(`http://127.0.0.1:${ops.port}/metrics`)).text();
    const gauge = /^pipeline_ready (\d)$/m.exec(scraped)?.[1];
    return { status: ready.status, body, gauge };
  };
  const expect = async (name: string, kafka: boolean, database: boolean) => {
    const ready = kafka && database;
    const seen = await observe();
    assert.deepEqual(seen, { status: ready ? 200 : 503, body: { ready, kafka, database }, gauge: ready ? '1' : '0' }, name);
  };
  try {
    await expect('at boot', false, false);
    readiness.database(true);
    await expect('database up, consumer not joined', false, true);
    readiness.kafkaSeen();
    await expect('both up', true, true);
    now += 14_999;
    await expect('Kafka quiet, within the silence bound', true, true);
    now += 1;
    await expect('Kafka silent too long', false, true);
    readiness.kafkaSeen();
    readiness.database(false);
    await expect('database down', true, false);
    readiness.database(true);
    readiness.kafkaLost();
    await expect('consumer crashed', false, true);
  } finally {
    await ops.close();
  }
});
