// Database down: the pipeline stops committing, reports not-ready, retries, and after the server
// returns stores every event once. Uses a PRIVATE PostgreSQL cluster on its own port, never the
// shared one.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Kafka } from 'kafkajs';
import pg from 'pg';
import { createTopic, deleteTopics, testKafka } from '../support/kafka.ts';
import { portOpen, script } from '../support/services.ts';
import { collectedEvent, count, opsPort, pipelineEnv, produce, startPipelineProcess, waitFor, type PipelineProcess } from './helpers.ts';

const cluster = `pipeoutage${randomBytes(3).toString('hex')}`;
const runDir = path.join(tmpdir(), `analytics-${cluster}`);
let port = 0;
let pgEnv: NodeJS.ProcessEnv;
let kafka: Kafka;
let topic: string;
let dlqTopic: string;
let pipeline: PipelineProcess | undefined;
let pool: pg.Pool;

async function freePort(): Promise<number> {
  for (;;) {
    const candidate = 40_000 + Math.floor(Math.random() * 20_000);
    if (!(await portOpen('127.0.0.1', candidate))) return candidate;
  }
}

before(async () => {
  port = await freePort();
  pgEnv = { PG_CLUSTER: cluster, PGPORT: String(port), ANALYTICS_RUN_DIR: runDir };
  await script('postgres.sh', ['start'], pgEnv);
  kafka = await testKafka('pipeline-outage-test');
  topic = await createTopic(kafka, 'test-outage-events');
  dlqTopic = await createTopic(kafka, 'test-outage-dlq', 1);
  const databaseUrl = `postgres://analytics:analytics@127.0.0.1:${port}/analytics_test`;
  pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  pool.on('error', () => undefined);
  pipeline = startPipelineProcess(pipelineEnv({ databaseUrl, topic, dlqTopic, groupId: `${topic}-group` }));
});

after(async () => {
  if (pipeline && pipeline.child.exitCode === null) pipeline.child.kill('SIGKILL');
  await pool?.end().catch(() => undefined);
  await deleteTopics(kafka, [topic, dlqTopic]);
  await script('postgres.sh', ['stop'], pgEnv).catch(() => undefined);
  if (process.getuid?.() === 0) await promisify(execFile)('pg_dropcluster', ['15', cluster]).catch(() => undefined);
  await rm(runDir, { recursive: true, force: true });
});

const batch = (n: number, from: number) =>
  Array.from({ length: n }, (_, i) => collectedEvent({ session_id: `o-${(from + i) % 10}`, metadata: { n: from + i } })).map((e) => ({ key: e.session_id!, value: JSON.stringify(e) }));

test('events produced while the database is down are stored once it returns', async () => {
  const ops = await opsPort(pipeline!);
  const ready = async () => (await fetch(`http://127.0.0.1:${ops}/ready`)).status;
  await waitFor('ready', ready, (s) => s === 200);
  await produce(kafka, topic, batch(200, 0));
  await waitFor('200 rows', () => count(pool), (n) => n === 200);

  await script('postgres.sh', ['stop-server'], pgEnv);
  await produce(kafka, topic, batch(300, 200));
  await waitFor('not ready', ready, (s) => s === 503, 30_000);
  const body = (await (await fetch(`http://127.0.0.1:${ops}/ready`)).json()) as { database: boolean; kafka: boolean };
  assert.deepEqual({ database: body.database, kafka: body.kafka }, { database: false, kafka: true });

  await script('postgres.sh', ['start'], pgEnv);
  await waitFor('500 rows', () => count(pool), (n) => n >= 500, 90_000);
  await waitFor('ready again', ready, (s) => s === 200, 30_000);
  assert.equal(await count(pool), 500);
  assert.equal(await count(pool, "SELECT count(DISTINCT metadata->>'n')::int AS n FROM analytics_events"), 500);
  const metrics = await (await fetch(`http://127.0.0.1:${ops}/metrics`)).text();
  assert.match(metrics, /^pipeline_db_errors_total [1-9]/m);

  pipeline!.child.kill('SIGTERM');
  assert.equal(await pipeline!.exited, 0);
});
