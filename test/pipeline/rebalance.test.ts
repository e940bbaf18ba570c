// Rebalances while streaming: a second instance joins mid-stream, then the first leaves with
// SIGTERM. Partitions move twice; every event is stored exactly once.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Kafka } from 'kafkajs';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { createTopic, deleteTopics, testKafka } from '../support/kafka.ts';
import { collectedEvent, count, pipelineEnv, produce, startPipelineProcess, waitFor, type PipelineProcess } from './helpers.ts';

let kafka: Kafka;
let db: TestDatabase;
let topic: string;
let dlqTopic: string;
let env: NodeJS.ProcessEnv;
const running: PipelineProcess[] = [];

before(async () => {
  kafka = await testKafka('pipeline-rebalance-test');
  db = await createTestDatabase('analytics_test_rebalance');
  topic = await createTopic(kafka, 'test-rebalance-events', 4);
  dlqTopic = await createTopic(kafka, 'test-rebalance-dlq', 1);
  env = { ...pipelineEnv({ databaseUrl: db.url, topic, dlqTopic, groupId: `${topic}-group` }), PIPELINE_BATCH_MAX_MESSAGES: '50' };
});

after(async () => {
  for (const p of running) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  await deleteTopics(kafka, [topic, dlqTopic]);
  await db.drop();
});

const batch = (n: number, from: number) =>
  Array.from({ length: n }, (_, i) => collectedEvent({ session_id: `r-${(from + i) % 40}`, metadata: { n: from + i } })).map((e) => ({ key: e.session_id!, value: JSON.stringify(e) }));

test('an instance joining and another leaving mid-stream lose and duplicate nothing', async () => {
  const first = startPipelineProcess(env);
  running.push(first);
  await produce(kafka, topic, batch(1500, 0));
  await waitFor('first rows', () => count(db.pool), (n) => n > 0);

  const second = startPipelineProcess(env);
  running.push(second);
  await produce(kafka, topic, batch(1500, 1500));
  await waitFor('second instance joined', async () => second.output(), (out) => /"msg":"consuming"/.test(out));
  await waitFor('more rows', () => count(db.pool), (n) => n >= 1500);

  first.child.kill('SIGTERM');
  assert.equal(await first.exited, 0, first.output().slice(-2000));
  await produce(kafka, topic, batch(1000, 3000));
  await waitFor('4000 rows', () => count(db.pool), (n) => n >= 4000, 90_000);

  assert.equal(await count(db.pool), 4000);
  assert.equal(await count(db.pool, "SELECT count(DISTINCT metadata->>'n')::int AS n FROM analytics_events"), 4000);
  second.child.kill('SIGTERM');
  assert.equal(await second.exited, 0);
});
