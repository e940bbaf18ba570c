// Shared helpers for pipeline integration tests: collector-shaped events, a producer, polling and
// the pipeline as a child process (`pipeline/src/main.ts`), all against the real services.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Partitioners, type Kafka } from 'kafkajs';
import type pg from 'pg';
import type { CollectedEvent } from '#contract';
import { KAFKA_BROKER, ROOT } from '../support/services.ts';

export function collectedEvent(overrides: Partial<CollectedEvent> = {}): CollectedEvent {
  const now = new Date().toISOString();
  return {
    event_id: randomUUID(),
    event_type: 'page_view',
    page_url: 'https://shop.example/products',
    page_title: 'Products',
    session_id: 'session-1',
    user_agent: 'Mozilla/5.0 test',
    timestamp: now,
    received_at: now,
    metadata: { referrer: 'https://search.example/' },
    ...overrides,
  };
}

export async function produce(kafka: Kafka, topic: string, messages: { key?: string | null; value: Buffer | string | null }[]): Promise<void> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    for (let i = 0; i < messages.length; i += 1000) await producer.send({ topic, acks: -1, messages: messages.slice(i, i + 1000) });
  } finally {
    await producer.disconnect();
  }
}

export async function waitFor<T>(what: string, probe: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 60_000, intervalMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await probe();
  while (!done(last)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, intervalMs));
    last = await probe();
  }
  return last;
}

export async function count(pool: pg.Pool, sql = 'SELECT count(*)::int AS n FROM analytics_events'): Promise<number> {
  return (await pool.query<{ n: number }>(sql)).rows[0]!.n;
}

export interface PipelineProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

export function pipelineEnv(opts: { databaseUrl: string; topic: string; dlqTopic: string; groupId: string }): NodeJS.ProcessEnv {
  return {
    KAFKA_BROKERS: KAFKA_BROKER,
    KAFKA_TOPIC: opts.topic,
    KAFKA_DLQ_TOPIC: opts.dlqTopic,
    KAFKA_GROUP_ID: opts.groupId,
    DATABASE_URL: opts.databaseUrl,
    PIPELINE_OPS_PORT: '0',
    PIPELINE_OPS_HOST: '127.0.0.1',
    PIPELINE_SUMMARY_REFRESH_MS: '500',
    PIPELINE_RETRY_MAX_MS: '1000',
    KAFKA_SESSION_TIMEOUT_MS: '8000',
  };
}

export function startPipelineProcess(env: NodeJS.ProcessEnv): PipelineProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'pipeline/src/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

/** The ops port the child logged ("ops server listening"). */
export async function opsPort(p: PipelineProcess): Promise<number> {
  const line = await waitFor('ops port', async () => /"port":(\d+)[^\n]*ops server listening/.exec(p.output()), (m) => m !== null, 30_000);
  return Number(line![1]);
}
