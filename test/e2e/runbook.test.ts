// The README's runbook, run as printed against a stack started by `bin/start --detach`.
// A few names are swapped so the test never touches real data, another run's records or a stack
// already running beside it (`npm start` in another terminal): the database (`-d analytics` → a
// fresh analytics_test_* database), the topic (`--topic analytics-events` → a private topic), the
// consumer group (`--group analytics-pipeline`) and the services' ports (3001, 3002, 4195, 8080 and
// the collector's gRPC 50051 → free ones, given to bin/start through the variables the manifest's
// services read; `npm run -s send` is pointed at them through its COLLECTOR_URL and
// COLLECTOR_GRPC_ADDRESS). Everything else — flags, quoting, the wrappers in bin/ — runs verbatim.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { createTopic, deleteTopics, testKafka } from '../support/kafka.ts';
import { serviceSpec, servicePorts } from '../../lib/service-manifest.ts';
import { freeStackPorts, waitFor } from '../support/service-kit.ts';
import { ROOT } from '../support/services.ts';

const run = promisify(execFile);

/** The shell commands of the README's Runbook section, continuation lines joined. */
export function runbookCommands(readme: string): string[] {
  const section = readme.split(/^## Runbook$/m)[1]?.split(/^## /m)[0] ?? '';
  const blocks = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
  return blocks
    .flatMap((block) => block.replace(/\\\n\s*/g, ' ').split('\n'))
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

/** Commands a person runs by hand and leaves open: an interactive psql, a log tail. */
const interactive = (cmd: string) => /^psql\b(?!.*\s-c\s)/.test(cmd) || /^tail -f/.test(cmd);

let db: TestDatabase;
let topic: string;
let runDir: string;
const group = `runbook-test-${process.pid}`;
let env: NodeJS.ProcessEnv;
/** The documented port -> this run's. */
let ports: Map<number, number>;
/** This run's gRPC port of the collector (the documented 50051). */
let grpcPort: string;

before(async () => {
  const stack = await freeStackPorts();
  ports = new Map((['collector', 'pipeline', 'api', 'demo-site'] as const).map((name) => [servicePorts(name, {})[serviceSpec(name).readiness.port]!, stack.ports[name]]));
  grpcPort = stack.env.GRPC_PORT!;
  const kafka = await testKafka('runbook');
  topic = await createTopic(kafka, 'runbook-test');
  db = await createTestDatabase('analytics_test_runbook');
  runDir = await mkdtemp(path.join(tmpdir(), 'runbook-'));
  env = {
    ...process.env,
    ANALYTICS_RUN_DIR: runDir,
    DATABASE_URL: db.url,
    KAFKA_TOPIC: topic,
    KAFKA_GROUP_ID: group,
    PIPELINE_SUMMARY_REFRESH_MS: '500',
    ...stack.env,
    DEMO_COLLECTOR_URL: `http://localhost:${stack.ports.collector}/analytics`,
  };
  const { stdout } = await run('bash', ['bin/start', '--detach'], { cwd: ROOT, env, timeout: 180_000 });
  for (const name of ['collector', 'pipeline', 'api', 'demo-site']) assert.match(stdout, new RegExp(`\\[${name}\\]\\s+ready`), stdout);
});

after(async () => {
  if (env) await run('bash', ['bin/stop'], { cwd: ROOT, env, timeout: 120_000 }).catch(() => undefined);
  if (topic) await deleteTopics(await testKafka('runbook'), [topic]);
  await db?.drop();
  if (runDir) await rm(runDir, { recursive: true, force: true });
});

function localize(cmd: string): string {
  return cmd
    .replace(/localhost:(3001|3002|4195|8080)\b/g, (_, port: string) => `localhost:${ports.get(Number(port))}`)
    .replace(/-d analytics(?=\s)/g, `-d ${db.name}`)
    .replace(/--topic analytics-events(?=\s|$)/g, `--topic ${topic}`)
    .replace(/--group analytics-pipeline(?=\s|$)/g, `--group ${group}`)
    .replace(/\/tmp\/analytics-/g, `${runDir}/`)
    .replace(/(^|\s)npm run -s send -- /, `$1COLLECTOR_URL=http://localhost:${ports.get(3001)} COLLECTOR_GRPC_ADDRESS=localhost:${grpcPort} npm run -s send -- `);
}

async function sh(cmd: string): Promise<string> {
  const { stdout } = await run('bash', ['-c', localize(cmd)], { cwd: ROOT, env: { ...process.env, DATABASE_URL: db.url }, timeout: 90_000 });
  return stdout;
}

/** Re-runs a command until its output satisfies `ok` (the pipeline loads asynchronously). */
function eventually(cmd: string, ok: (out: string) => boolean): Promise<string> {
  return waitFor(cmd, () => sh(cmd), { until: ok, timeoutMs: 20_000, intervalMs: 250 });
}

const firstCount = (out: string) => Number(/^\s*(\d+)\s*$/m.exec(out)?.[1] ?? NaN);

/** The funnel, retention and paths commands of the runbook, by route. */
const REPORT_COMMAND = /localhost:3002\/api\/v1\/projects\/[^"]*\/(funnels|retention|paths)[?"]/;
/** A report's answer: data and meta, not an error. */
const answersReport = (out: string) => {
  const body = JSON.parse(out);
  return body.data !== undefined && body.meta !== undefined && body.error === undefined;
};

test('every runbook command works as printed', async () => {
  const commands = runbookCommands(await readFile(path.join(ROOT, 'README.md'), 'utf8'));
  assert.ok(commands.length >= 15, `only ${commands.length} commands found in the runbook`);
  const checked = new Set<string>();
  for (const cmd of commands) {
    if (interactive(cmd)) continue;
    if (/perf-test-session'/.test(cmd) && /COUNT/.test(cmd)) {
      const out = await eventually(cmd, (o) => firstCount(o) === 100);
      assert.equal(firstCount(out), 100, `${cmd}\n${out}`);
      checked.add('perf-count');
      continue;
    }
    if (/shop\.example\/%/.test(cmd)) {
      const out = await eventually(cmd, (o) => o.includes('/checkout') && o.includes('/pricing'));
      // Both are a visitor's (a browser's user agent): not bots, so every report counts them.
      assert.match(out, /order_paid .*https:\/\/shop\.example\/checkout .*Mozilla\/5\.0 \(X11; Linux x86_64\).*\|\s*f\s*$/m, out);
      assert.match(out, /page_view .*https:\/\/shop\.example\/pricing .*Chrome\/131.*\|\s*f\s*$/m, out);
      checked.add('psql-server-rows');
      continue;
    }
    if (/session_id = 'enrich-demo'/.test(cmd)) {
      // The derived columns, as the README says they come out.
      const out = await eventually(cmd, (o) => o.includes('/pricing'));
      assert.match(out, /\/pricing\s*\|\s*google\.com\s*\|\s*newsletter\s*\|\s*spring\s*\|\s*Safari\s*\|\s*iOS\s*\|\s*mobile\s*\|\s*f\s*$/m, out);
      checked.add('psql-enriched');
      continue;
    }
    if (/-w '%\{http_code\}\\n' http:\/\/localhost:3001\/api\/v1\/admin\//.test(cmd)) {
      // Right after the revocation: refused within 5 s (the collector hears NOTIFY at once).
      await waitFor(cmd, () => sh(cmd), { until: (o) => o.trim() === '401', timeoutMs: 5000, intervalMs: 100 });
      checked.add('key-revoked');
      continue;
    }
    if (/localhost:3002\/api\/v1\/projects\/.*\/stats" -H/.test(cmd)) {
      // The two server-side events sent above, once the pipeline stored them.
      const out = await eventually(cmd, (o) => o.includes('"events":2'));
      const body = JSON.parse(out);
      assert.deepEqual([body.data.events, body.data.pageviews, body.data.events_by_type], [2, 1, { order_paid: 1, page_view: 1 }], out);
      assert.equal(body.meta.project.name, 'shop', out);
      checked.add('api-stats');
      continue;
    }
    if (/session_id = 'stream-demo'/.test(cmd)) {
      // The example file went out five times; each of its four valid events is stored once.
      const out = await eventually(cmd, (o) => /\(4 rows\)/.test(o));
      assert.deepEqual([...out.matchAll(/\|\s*(\d+)\s*$/gm)].map((m) => m[1]), ['1', '1', '1', '1'], out);
      assert.match(out, /order_paid\s*\|\s*https:\/\/store\.example\/checkout/, out);
      checked.add('psql-stream-demo');
      continue;
    }
    if (REPORT_COMMAND.test(cmd)) {
      assert.ok(answersReport(await sh(cmd)), cmd);
      checked.add(`api-${REPORT_COMMAND.exec(cmd)![1]}`);
      continue;
    }
    const out = await sh(cmd);
    const lastJson = () => JSON.parse(out.trim().split('\n').at(-1)!);
    if (/npm run -s send -- |\/api\/v1\/events\/stream /.test(cmd)) {
      // The summary in the file's lines: line 4 refused by field, the rest stored.
      const fromLine3 = /--from-line 3/.test(cmd);
      const summary = lastJson() as { accepted: number; rejected: number; errors: { line: number; field: string }[]; last_acked_line: number };
      assert.deepEqual([summary.accepted, summary.rejected, summary.last_acked_line], [fromLine3 ? 2 : 4, 1, 5], `${cmd}\n${out}`);
      assert.deepEqual(summary.errors.map((e) => [e.line, e.field]), [[4, '/page_url']], out);
      checked.add(fromLine3 ? 'send-from-line' : cmd.includes('--grpc') ? 'send-grpc' : cmd.includes('--http') ? 'send-http' : cmd.startsWith('gzip') ? 'curl-stream-gzip' : 'curl-stream');
    }
    if (/npm run -s projects -- create/.test(cmd)) {
      assert.match(lastJson().site_key, /^pk_/, out);
      checked.add('project-create');
    } else if (/npm run -s keys -- create/.test(cmd)) {
      assert.match(lastJson().key, /^sk_/, out);
      checked.add('key-create');
    } else if (/npm run -s projects -- set shop --visitor-id-mode monthly/.test(cmd)) {
      assert.deepEqual([lastJson().name, lastJson().visitor_id_mode], ['shop', 'monthly'], out);
      checked.add('visitor-mode');
    } else if (/curl -s -X POST http:\/\/localhost:3001\/(api\/v1\/events|webhook) /.test(cmd)) {
      const body = JSON.parse(out);
      assert.equal(body.success, true, `${cmd}\n${out}`);
      assert.match(body.eventId, /^[0-9a-f-]{36}$/);
      checked.add(cmd.includes('/webhook') ? 'curl-webhook' : 'curl-server');
    } else if (/curl -s -X POST .*"button_id":"test-button"/.test(cmd)) {
      const body = JSON.parse(out);
      assert.equal(body.success, true, out);
      assert.equal(body.message, 'Event received and sent to Kafka');
      assert.match(body.eventId, /^[0-9a-f-]{36}$/);
      checked.add('curl-design');
    } else if (/curl -s -X POST .*-d '\[/.test(cmd)) {
      const body = JSON.parse(out);
      assert.equal(body.accepted, 1, out);
      assert.ok(body.errors.some((e: { field: string }) => e.field === '/1/page_url'), out);
      checked.add('curl-batch');
    } else if (/curl -s -X POST .*-d '\{"event_type":"page_view"\}'/.test(cmd)) {
      const body = JSON.parse(out);
      assert.equal(body.success, false, out);
      assert.ok(body.errors.some((e: { field: string }) => e.field === '/page_url'), out);
      checked.add('curl-invalid');
    } else if (/kafka-topics --list/.test(cmd)) {
      assert.ok(out.split('\n').includes('analytics-events'), out);
      assert.ok(out.split('\n').includes('analytics-events-dlq'), out);
      checked.add('topics');
    } else if (/kafka-console-consumer/.test(cmd)) {
      const lines = out.trim().split('\n');
      assert.equal(lines.length, 10, out);
      for (const line of lines) assert.match(JSON.parse(line).event_type, /^[a-z_]+$/);
      checked.add('console-consumer');
    } else if (/kafka-consumer-groups/.test(cmd)) {
      assert.match(out, new RegExp(topic), out);
      checked.add('consumer-groups');
    } else if (/localhost:3001\/health/.test(cmd)) {
      assert.equal(JSON.parse(out).kafkaReady, true, out);
      checked.add('collector-health');
    } else if (/localhost:4195\/(ready|ping)/.test(cmd)) {
      assert.ok(out.length > 0, cmd);
      checked.add('pipeline-ops');
    } else if (/\/live\/token"/.test(cmd)) {
      const body = JSON.parse(out);
      assert.ok(body.token.length > 20 && Date.parse(body.expires_at) > Date.now(), out);
      checked.add('live-token');
    } else if (/\/live\/metrics\?token=/.test(cmd)) {
      // The stream's first messages: ready, then the metrics of the shop's events sent above.
      assert.match(out, /^retry: 1000\n\nevent: ready\n/, out);
      const metrics = JSON.parse(/^event: metrics\ndata: (.*)$/m.exec(out)?.[1] ?? 'null');
      assert.equal(typeof metrics?.current_visitors, 'number', out);
      checked.add('live-metrics');
    } else if (/\/metrics/.test(cmd)) {
      assert.match(out, /# HELP /, cmd);
      checked.add('metrics');
    } else if (/SELECT COUNT\(\*\) FROM analytics_events;/.test(cmd)) {
      assert.ok(firstCount(out) >= 102, out);
      checked.add('psql-count');
    }
    if (/localhost:3002\/api\/v1\/projects\/.*\/timeseries/.test(cmd)) {
      const body = JSON.parse(out);
      assert.ok(body.data.length >= 1 && body.data.length <= 24, out);
      assert.equal(body.data.reduce((sum: number, b: { events: number }) => sum + b.events, 0), 2, out);
      checked.add('api-timeseries');
    } else if (/localhost:3002\/api\/v1\/projects\/.*\/breakdown\?dimension=page/.test(cmd)) {
      assert.deepEqual(JSON.parse(out).data.map((r: { value: string }) => r.value).sort(), ['/checkout', '/pricing'], out);
      checked.add('api-breakdown');
    } else if (/localhost:3002\/api\/v1\/projects\/.*\/events\?limit=2/.test(cmd)) {
      const body = JSON.parse(out);
      assert.equal(body.data.length, 2, out);
      checked.add('api-events');
    } else if (/localhost:3002\/api\/v1\/projects\/.*\/users\/user123\/timeline/.test(cmd)) {
      const body = JSON.parse(out);
      assert.deepEqual(body.data.map((e: { event_type: string }) => e.event_type).sort(), ['order_paid', 'page_view'], out);
      checked.add('api-timeline');
    } else if (/-w '%\{http_code\}\\n' "http:\/\/localhost:3002\//.test(cmd)) {
      assert.equal(out.trim(), '401', out);
      checked.add('api-no-key');
    } else if (/localhost:3002\/health/.test(cmd)) {
      assert.equal(JSON.parse(out).status, 'ok', out);
      checked.add('api-health');
    }
    if (/projects -- create blog /.test(cmd)) {
      assert.deepEqual([lastJson().name, lastJson().timezone, lastJson().allowed_origins], ['blog', 'Europe/Berlin', ['https://blog.example']], out);
      checked.add('blog-project');
    } else if (/keys -- create --project blog /.test(cmd)) {
      assert.match(lastJson().key, /^sk_/, out);
      checked.add('blog-key');
    } else if (/keys -- list --project blog$/.test(cmd)) {
      assert.equal(lastJson().keys.length, 1, out);
      assert.ok(!out.includes('"key"'), 'a list never shows a key');
      checked.add('blog-key-list');
    } else if (/curl -s http:\/\/localhost:3001\/api\/v1\/admin\/projects /.test(cmd)) {
      assert.deepEqual(lastJson().projects.map((p: { name: string }) => p.name), ['blog'], out);
      checked.add('admin-with-key');
    } else if (/keys -- revoke /.test(cmd)) {
      assert.ok(lastJson().revoked_at, out);
      checked.add('blog-key-revoke');
    } else if (/users -- create /.test(cmd)) {
      assert.equal(lastJson().role, 'admin', out);
      checked.add('first-admin');
    } else if (/\/api\/v1\/auth\/login/.test(cmd)) {
      assert.equal(lastJson().token_type, 'Bearer', out);
      checked.add('login');
    } else if (/\/api\/v1\/admin\/keys -H "Authorization: Bearer/.test(cmd)) {
      assert.ok(Array.isArray(lastJson().keys), out);
      checked.add('admin-with-token');
    }
  }
  for (const key of ['project-create', 'key-create', 'visitor-mode', 'curl-server', 'curl-webhook', 'psql-server-rows', 'psql-enriched', 'curl-design', 'curl-batch', 'curl-invalid', 'perf-count', 'topics', 'console-consumer', 'consumer-groups', 'collector-health', 'pipeline-ops', 'metrics', 'psql-count', 'live-token', 'live-metrics']) {
    assert.ok(checked.has(key), `the runbook no longer has a command checked as ${key}`);
  }
  for (const key of ['api-stats', 'api-timeseries', 'api-breakdown', 'api-events', 'api-timeline', 'api-no-key', 'api-health', 'api-funnels', 'api-retention', 'api-paths']) {
    assert.ok(checked.has(key), `the runbook no longer has a command checked as ${key}`);
  }
  for (const key of ['send-http', 'send-grpc', 'send-from-line', 'curl-stream', 'curl-stream-gzip', 'psql-stream-demo']) {
    assert.ok(checked.has(key), `the runbook no longer has a command checked as ${key}`);
  }
  for (const key of ['blog-project', 'blog-key', 'blog-key-list', 'admin-with-key', 'blog-key-revoke', 'key-revoked', 'first-admin', 'login', 'admin-with-token']) {
    assert.ok(checked.has(key), `the runbook no longer has a command checked as ${key}`);
  }
});

test('a second run of the project setup keeps the report commands working (the project already exists)', async () => {
  const commands = runbookCommands(await readFile(path.join(ROOT, 'README.md'), 'utf8'));
  const setup = commands.filter((c) => /projects -- create shop |keys -- create --project shop --scopes read /.test(c));
  assert.equal(setup.length, 2, 'the runbook creates the shop project and its read key');
  for (const cmd of setup) await sh(cmd);
  assert.equal(JSON.parse(await readFile(`${runDir}/shop.json`, 'utf8')).name, 'shop');
  const reports = commands.filter((c) => REPORT_COMMAND.test(c));
  assert.equal(reports.length, 3);
  for (const cmd of reports) assert.ok(answersReport(await sh(cmd)), `${cmd} after a second setup`);
});
