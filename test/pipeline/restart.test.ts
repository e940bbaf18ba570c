// The pipeline as its own process: SIGKILL mid-stream and a restart store every event exactly
// once; SIGTERM commits, leaves the group and exits 0; the ops port reports ready and metrics.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Kafka } from 'kafkajs';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { createTopic, deleteTopics, testKafka } from '../support/kafka.ts';
import { collectedEvent, count, opsPort, pipelineEnv, produce, startPipelineProcess, waitFor, type PipelineProcess } from './helpers.ts';

let kafka: Kafka;
let db: TestDatabase;
let topic: string;
let dlqTopic: string;
let env: NodeJS.ProcessEnv;
const running: PipelineProcess[] = [];

before(async () => {
  kafka = await testKafka('pipeline-restart-test');
  db = await createTestDatabase('analytics_test_restart');
  topic = await createTopic(kafka, 'test-restart-events');
  dlqTopic = await createTopic(kafka, 'test-restart-dlq', 1);
  // Small batches make many commits, so the kill lands between them.
  env = { ...pipelineEnv({ databaseUrl: db.url, topic, dlqTopic, groupId: `${topic}-group` }), PIPELINE_BATCH_MAX_MESSAGES: '50' };
});

after(async () => {
  for (const p of running) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  await deleteTopics(kafka, [topic, dlqTopic]);
  await db.drop();
});

function start(): PipelineProcess {
  const p = startPipelineProcess(env);
  running.push(p);
  return p;
}

const events = (n: number, from: number) => Array.from({ length: n }, (_, i) => collectedEvent({ session_id: `s-${(from + i) % 20}`, metadata: { n: from + i } }));
const messages = (list: ReturnType<typeof events>) => list.map((e) => ({ key: e.session_id!, value: JSON.stringify(e) }));

test('SIGKILL mid-stream and a restart store exactly N rows', async () => {
  const first = start();
  const port = await opsPort(first);
  await waitFor('ready', async () => (await fetch(`http://127.0.0.1:${port}/ready`)).status, (s) => s === 200);
  assert.equal(await (await fetch(`http://127.0.0.1:${port}/ping`)).text(), 'pong');

  await produce(kafka, topic, messages(events(2000, 0)));
  await waitFor('some rows', () => count(db.pool), (n) => n > 0);
  first.child.kill('SIGKILL');
  assert.equal(await first.exited, null);
  const atKill = await count(db.pool);
  await produce(kafka, topic, messages(events(1000, 2000)));

  const second = start();
  await waitFor('3000 rows', () => count(db.pool), (n) => n >= 3000, 90_000);
  const port2 = await opsPort(second);
  // Let any replayed batch finish, then check nothing was stored twice.
  await waitFor('lag 0', async () => {
    const text = await (await fetch(`http://127.0.0.1:${port2}/metrics`)).text();
    return [...text.matchAll(/^pipeline_consumer_lag\{[^}]*\} (\d+)$/gm)].map((m) => Number(m[1]));
  }, (lags) => lags.length > 0 && lags.every((l) => l === 0));
  assert.equal(await count(db.pool), 3000, `killed at ${atKill} rows`);
  assert.equal(await count(db.pool, "SELECT count(DISTINCT metadata->>'n')::int AS n FROM analytics_events"), 3000);

  const metrics = await (await fetch(`http://127.0.0.1:${port2}/metrics`)).text();
  for (const name of ['pipeline_messages_consumed_total', 'pipeline_events_inserted_total', 'pipeline_duplicates_skipped_total', 'pipeline_batch_size_bucket', 'pipeline_batch_duration_seconds_bucket']) {
    assert.match(metrics, new RegExp(`^${name}`, 'm'), name);
  }

  second.child.kill('SIGTERM');
  assert.equal(await second.exited, 0, second.output().slice(-2000));
  assert.match(second.output(), /"msg":"stopped"/);
});

test('after SIGTERM the group has committed every offset and no members', async () => {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [committed] = await admin.fetchOffsets({ groupId: `${topic}-group`, topics: [topic] });
    const ends = await admin.fetchTopicOffsets(topic);
    const byPartition = new Map(ends.map((e) => [e.partition, e.high]));
    for (const p of committed!.partitions) assert.equal(p.offset, byPartition.get(p.partition), `partition ${p.partition}`);
    const { groups } = await admin.describeGroups([`${topic}-group`]);
    assert.equal(groups[0]!.members.length, 0);
  } finally {
    await admin.disconnect();
  }
});
