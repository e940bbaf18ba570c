// The shipped client through a Kafka outage (a PRIVATE broker; the shared one is never touched):
// the stream stops with exit 1, the summary and the command that resumes; once the broker is back,
// that command, run as printed, sends the rest, and the topic then holds every line of the file
// exactly once: nothing acknowledged is lost, nothing is sent twice.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { TOPICS } from '#contract';
import { ROOT } from '../support/services.ts';
import { service, waitFor } from '../support/service-kit.ts';
import { startPrivateKafka, whenBrokerServes } from '../chaos/private-services.ts';
import { consumeRecords } from '../collector/helpers.ts';
import { PEPPER, seedTenants } from '../collector/tenants.ts';

const run = promisify(execFile);
/** The variable the client reads its key from. */
const KEY_VARIABLE = 'ANALYTICS_API_KEY';
const cleanups: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

const EVENTS = 20_000;
/** Lines acknowledged before the outage. */
const ACKED = 8_000;

test('Kafka stopped mid-stream (gRPC, then NDJSON): exit 1 with the resume command; run as printed it completes the file, each line once', { timeout: 290_000 }, async (t) => {
  const kafka = await startPrivateKafka('analytics-send-resume', cleanups);
  const tenants = await seedTenants();
  cleanups.push(() => tenants.close());
  // The broker takes a while to stop: the stream must not end idle meanwhile.
  const collector = await service('collector', { env: { kafkaBrokers: kafka.broker, databaseUrl: tenants.databaseUrl, apiKeyPepper: PEPPER, logLevel: 'warn', streamIdleTimeoutMs: 180_000 } });
  cleanups.push(() => collector.stop());
  await collector.start();
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, [KEY_VARIABLE]: tenants.shop.ingestKey };
  // Records on the topic (acks=all: written is acknowledged); a stream's accepted count is only
  // reported when it is answered.
  const admin = new Kafka({ clientId: 'send-resume-admin', brokers: [kafka.broker], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  cleanups.push(() => admin.disconnect());
  const onTopic = async () => (await admin.fetchTopicOffsets(TOPICS.events)).reduce((n, p) => n + Number(p.high), 0);
  // A new broker can take a while before it takes its first record (its coordinators loading):
  // one event, sent until accepted, so the measured stream starts on a broker that serves.
  const warm = path.join(kafka.runDir, 'warm.ndjson');
  await writeFile(warm, '{"event_type":"warm_up","page_url":"https://shop.example/warm"}\n');
  const send = ['run', '-s', 'send', '--', '--grpc', warm, '--grpc-address', `127.0.0.1:${collector.ports.grpc}`];
  const warmUp = () => waitFor('the broker takes an event', () => run('npm', send, { cwd: ROOT, env }).then(() => true, () => false), { timeoutMs: 120_000, intervalMs: 500 });
  await warmUp();

  // Each transport in turn on the same broker: stopped, then resumed with the command printed.
  const all: string[] = [];
  for (const transport of ['--grpc', '--http'] as const) {
    const base = await onTopic();
    const ids: string[] = [];
    const lines: string[] = [];
    for (let i = 0; i < EVENTS; i++) {
      const id = randomUUID();
      ids.push(id);
      lines.push(JSON.stringify({ event_id: id, event_type: 'page_view', page_url: `https://shop.example/resume/${i}`, user_id: `u${i % 100}` }));
    }
    all.push(...ids);
    // The file is first a named pipe, so the test decides how far the client can read: the first
    // part, acknowledged; then the broker stops; then the rest, which cannot be.
    const file = path.join(kafka.runDir, `events${transport}.ndjson`);
    await run('mkfifo', [file]);
    const target = transport === '--grpc' ? ['--grpc-address', `127.0.0.1:${collector.ports.grpc}`] : ['--url', collector.url];
    const first = spawn('npm', ['run', '-s', 'send', '--', transport, file, ...target], { cwd: ROOT, env, detached: true });
    let stdout = '';
    let stderr = '';
    first.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    first.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number>((resolve) => first.once('exit', (code) => resolve(code ?? -1)));
    const pipe = createWriteStream(file);
    pipe.on('error', () => undefined); // the client stops reading once the collector answers
    // A failed wait below must fail the test, not leave the client waiting on its pipe (and the runner on the client).
    cleanups.push(async () => {
      pipe.destroy();
      // Its own process group (detached): npm, the shell and the client go together.
      if (first.exitCode === null) process.kill(-first.pid!, 'SIGKILL');
    });
    pipe.write(`${lines.slice(0, ACKED).join('\n')}\n`);
    await waitFor(`${transport}: the first part acknowledged`, async () => (await onTopic()) === base + ACKED, { timeoutMs: 60_000, intervalMs: 50 });
    await kafka.stop();
    pipe.end(`${lines.slice(ACKED).join('\n')}\n`);
    const code = await exited;
    pipe.destroy();
    assert.equal(code, 1, `${transport} exit status\n${stdout}\n${stderr}`);
    const summary = JSON.parse(stdout) as { accepted: number; last_acked_line: number };
    assert.deepEqual([summary.accepted, summary.last_acked_line], [ACKED, ACKED], stdout);
    assert.match(stderr, transport === '--grpc' ? /stopped: gRPC UNAVAILABLE/ : /stopped: HTTP 503 kafka_unavailable/);
    const resume = /resume(?: in \d+ s)? with: (npm run -s send -- .*)$/m.exec(stderr)?.[1];
    assert.ok(resume, stderr);
    assert.match(resume, new RegExp(`--from-line ${ACKED + 1}$`));
    t.diagnostic(resume);

    // The whole file where the pipe was, for the command as printed; the broker back.
    await rm(file);
    await writeFile(file, `${lines.join('\n')}\n`);
    const serving = whenBrokerServes(kafka.broker);
    serving.catch(() => undefined);
    await kafka.start();
    await serving;
    await warmUp();
    const second = await run('bash', ['-c', resume], { cwd: ROOT, env, timeout: 120_000 });
    const rest = JSON.parse(second.stdout) as { accepted: number; last_acked_line: number };
    assert.equal(rest.last_acked_line, EVENTS);
    assert.equal(summary.accepted + rest.accepted, EVENTS, 'every line accepted once over the two runs');
  }

  const reader = new Kafka({ clientId: 'send-resume-reader', brokers: [kafka.broker], logLevel: logLevel.NOTHING });
  const records = (await consumeRecords(reader, TOPICS.events, await onTopic(), 120_000)).filter((r) => r.value.event_type !== 'warm_up');
  const stored = new Set(records.map((r) => r.value.event_id));
  assert.equal(records.length, all.length, 'no line twice on the topic');
  assert.ok(all.every((id) => stored.has(id)), 'every line on the topic');
});
