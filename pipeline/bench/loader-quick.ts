// `npx tsx pipeline/bench/loader-quick.ts [events]` (default 200000): fills a private topic with
// collector-shaped events, loads it with the pipeline into a fresh database, then `psql \copy`s
// the same rows into the same schema in another fresh database, and prints rows/s for both.
// Uses the running Kafka and PostgreSQL; drops what it creates. PIPELINE_DIRECT_COPY=false measures
// the staging path alone.
import { execFileSync } from 'node:child_process';
import { createWriteStream, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Partitioners } from 'kafkajs';
import { createLogger } from '../../lib/logger.ts';
import { createTestDatabase } from '../../test/support/database.ts';
import { createTopic, deleteTopics, testKafka } from '../../test/support/kafka.ts';
import { createPipeline } from '../src/app.ts';
import { loadPipelineConfig } from '../src/config.ts';
import { normalizeEvent } from '../src/steps/normalize-event.ts';
import { COPY_COLUMNS, toCopyRow } from '../src/steps/to-copy-row.ts';
import { sampleEvent } from './sample-rows.ts';

const total = Number(process.argv[2] ?? 200_000);
const out = (line: string) => process.stdout.write(`${line}\n`);
const rate = (n: number, ms: number) => `${Math.round((n / ms) * 1000).toLocaleString('en-US')} rows/s`;

const kafka = await testKafka('loader-bench');
const topic = await createTopic(kafka, 'bench-loader', 3);
const dlqTopic = await createTopic(kafka, 'bench-loader-dlq', 1);
const loaderDb = await createTestDatabase('analytics_test_bench_loader');
const copyDb = await createTestDatabase('analytics_test_bench_copy');
const file = path.join(tmpdir(), `${topic}.tsv`);
const pipeline = createPipeline(
  loadPipelineConfig({ KAFKA_TOPIC: topic, KAFKA_DLQ_TOPIC: dlqTopic, KAFKA_GROUP_ID: `${topic}-group`, DATABASE_URL: loaderDb.url, PIPELINE_SUMMARY_REFRESH_MS: '0', PIPELINE_DIRECT_COPY: process.env.PIPELINE_DIRECT_COPY ?? 'true', PIPELINE_CONCURRENCY: process.env.PIPELINE_CONCURRENCY ?? '3' }),
  createLogger('loader-bench', 'warn'),
);

try {
  // 1. Fill the topic; keep the identical rows as COPY text for the psql baseline.
  const tsv = createWriteStream(file);
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const start = Date.now() - total * 5;
  let t = Date.now();
  for (let i = 0; i < total; i += 5000) {
    const events = Array.from({ length: Math.min(5000, total - i) }, (_, j) => sampleEvent(i + j, total, start));
    await producer.send({ topic, acks: -1, messages: events.map((e) => ({ key: e.session_id!, value: JSON.stringify(e) })) });
    let chunk = '';
    for (const e of events) {
      const row = normalizeEvent(e as unknown as Record<string, unknown>, { topic, partition: 0, offset: '0', timestamp: '0', key: null });
      if (row.ok) chunk += toCopyRow(row.value);
    }
    if (!tsv.write(chunk)) await once(tsv, 'drain');
  }
  tsv.end();
  await once(tsv, 'finish');
  await producer.disconnect();
  out(`filled ${topic} with ${total} events: ${rate(total, Date.now() - t)} (kafkajs, acks=all, 5000 per send)`);

  // 2. The pipeline: from start (migrate, join the group) to the last row committed.
  t = Date.now();
  const cpu = process.cpuUsage();
  let firstAt = 0;
  await pipeline.start();
  for (;;) {
    const inserted = (await pipeline.metrics.inserted.get()).values[0]?.value ?? 0;
    if (inserted > 0 && firstAt === 0) firstAt = Date.now();
    if (inserted >= total) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const end = Date.now();
  const rows = Number((await loaderDb.pool.query('SELECT count(*) AS n FROM analytics_events')).rows[0].n);
  const used = process.cpuUsage(cpu);
  out(`pipeline: ${rows} rows in ${end - t} ms: ${rate(rows, end - t)} end to end; ${rate(rows, end - firstAt)} from the first committed batch`);
  const hist = (await pipeline.metrics.batchSeconds.get()).values;
  const sum = hist.find((v) => v.metricName === 'pipeline_batch_duration_seconds_sum')?.value ?? 0;
  const batches = hist.find((v) => v.metricName === 'pipeline_batch_duration_seconds_count')?.value ?? 0;
  out(`pipeline batches: ${batches}, mean ${Math.round(rows / batches)} rows, mean ${Math.round((sum / batches) * 1000)} ms each (process + transaction + offset commit)`);
  out(`pipeline process CPU: ${Math.round((used.user + used.system) / 1000)} ms over ${end - t} ms wall (${rate(rows, (used.user + used.system) / 1000)} per CPU-second)`);

  // 3. Baseline: psql \copy of the same rows into the same migrated schema.
  t = Date.now();
  execFileSync('psql', ['-X', '-q', copyDb.url, '-c', `\\copy analytics_events (${COPY_COLUMNS.map((c) => `"${c}"`).join(',')}) FROM '${file}'`]);
  const copyMs = Date.now() - t;
  out(`psql \\copy: ${total} rows in ${copyMs} ms: ${rate(total, copyMs)}`);
} finally {
  await pipeline.stop();
  await deleteTopics(kafka, [topic, dlqTopic]);
  await loaderDb.drop();
  await copyDb.drop();
  rmSync(file, { force: true });
}
