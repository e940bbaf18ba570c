// Two `npm start` runs side by side, as a newcomer ends up with them in two terminals: the second
// finds the stack running, leaves it to the first, and Ctrl-C on it stops nothing; each supervisor
// notices a service that disappears (the owner restarts it, the other says so); Ctrl-C on the
// first stops what it started. Runs in its own run directory on free ports, against a private
// topic and database; the shared Kafka and PostgreSQL are reused, never stopped.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SERVICE_NAMES } from '../../lib/service-manifest.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { createTopic, deleteTopics, testKafka } from '../support/kafka.ts';
import { freeStackPorts, ServiceProcess, waitFor } from '../support/service-kit.ts';
import { portOpen, ROOT } from '../support/services.ts';

let db: TestDatabase;
let topic: string;
let runDir: string;
let env: Record<string, string>;
let urls: Record<string, string>;
const runs: ServiceProcess[] = [];

before(async () => {
  const stack = await freeStackPorts();
  urls = stack.readyUrls;
  topic = await createTopic(await testKafka('second-start'), 'second-start-test');
  db = await createTestDatabase('analytics_test_second_start');
  runDir = await mkdtemp(path.join(tmpdir(), 'second-start-'));
  env = {
    ANALYTICS_RUN_DIR: runDir,
    DATABASE_URL: db.url,
    KAFKA_TOPIC: topic,
    KAFKA_GROUP_ID: `${topic}-group`,
    ...stack.env,
  };
});

after(async () => {
  for (const run of runs) await run.stop('SIGINT', 60_000);
  // Whatever a failed run left behind in this run directory.
  await new ServiceProcess({ name: 'stop', command: 'bash', args: ['bin/stop'], env }).spawn().exited;
  if (topic) await deleteTopics(await testKafka('second-start'), [topic]);
  await db?.drop();
  if (runDir) await rm(runDir, { recursive: true, force: true });
});

function npmStart(name: string): ServiceProcess {
  const run = new ServiceProcess({ name, command: 'bash', args: ['bin/start'], cwd: ROOT, env, logFile: path.join(runDir, `${name}.out`) });
  runs.push(run);
  return run.spawn();
}

const ok = async (url: string) => (await fetch(url, { signal: AbortSignal.timeout(2000) })).status === 200;
const allReady = async () => (await Promise.all(Object.values(urls).map((u) => ok(u).catch(() => false)))).every(Boolean);
const saying = (run: ServiceProcess, pattern: RegExp, timeoutMs = 180_000) => waitFor(`${run.name} to print ${pattern}`, () => pattern.test(run.output()), { timeoutMs, intervalMs: 200 });

test('a second npm start leaves the first stack up; each supervisor notices a service that disappears', async () => {
  const first = npmStart('first');
  await saying(first, /press Ctrl-C to stop what this run started/);
  assert.ok(await allReady(), first.output());

  const second = npmStart('second');
  await saying(second, /every service was already running; watching them/);
  for (const name of SERVICE_NAMES) assert.match(second.output(), new RegExp(`\\[${name}\\]\\s+already running .*started by run ${first.pid}`), second.output());

  // A service of the first run dies: the first restarts it, the second reports it.
  const pid = Number(await readFile(path.join(runDir, 'collector.pid'), 'utf8'));
  process.kill(pid, 'SIGKILL');
  await saying(first, /\[collector\]\s+exited; restarting/, 30_000);
  await saying(second, new RegExp(`\\[collector\\]\\s+gone \\(pid ${pid}\\b`), 30_000);
  await waitFor('the collector back', () => ok(urls.collector!), { timeoutMs: 60_000 });

  // Ctrl-C on the second run: it stops nothing.
  assert.equal((await second.stop('SIGINT', 60_000)).code, 0, second.output());
  assert.match(second.output(), /this run started nothing; the running stack stays up/);
  assert.ok(await allReady(), 'the first run\'s stack is still up after the second one stopped');
  assert.equal(first.running, true);

  // Ctrl-C on the first: everything it started stops.
  assert.equal((await first.stop('SIGINT', 90_000)).code, 0, first.output());
  for (const name of SERVICE_NAMES) assert.match(first.output(), new RegExp(`\\[${name}\\]\\s+stopped`));
  for (const url of Object.values(urls)) assert.equal(await portOpen('127.0.0.1', Number(new URL(url).port)), false, `${url} closed`);
});
