// The shipped client (`npm run -s send`, send/cli.ts) against the real collector bundle (as
// `npm start` runs it) on the shared Kafka: the same file over --http and --grpc gives the same
// summary in file lines, stores exactly what the valid lines say, resumes from a line, and fails
// with exit codes and messages a script can act on.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createTopic, deleteTopics, testKafka } from '../support/kafka.ts';
import { ROOT } from '../support/services.ts';
import { service, waitFor, type Service } from '../support/service-kit.ts';
import { consumeRecords } from './helpers.ts';
import { PEPPER, seedTenants, type Tenants } from './tenants.ts';

const run = promisify(execFile);
/** The variable the client reads its key from. */
const KEY_VARIABLE = 'ANALYTICS_API_KEY';
const kafka = await testKafka('send-client-test');
let topic: string;
let tenants: Tenants;
let collector: Service<'collector'>;
let dir: string;

before(async () => {
  topic = await createTopic(kafka, 'test-send-client');
  tenants = await seedTenants();
  dir = await mkdtemp(path.join(tmpdir(), 'send-client-'));
  collector = await service('collector', { env: { kafkaTopic: topic, databaseUrl: tenants.databaseUrl, apiKeyPepper: PEPPER, logLevel: 'warn' } });
  await collector.start();
});

after(async () => {
  await collector?.stop();
  await tenants?.close();
  await deleteTopics(kafka, [topic]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** The client as a user runs it (`npm run -s send -- …`), aimed at this test's collector. */
async function send(args: string[], env: Record<string, string> = { [KEY_VARIABLE]: tenants.shop.ingestKey }): Promise<Ran> {
  const targets = { COLLECTOR_URL: collector.url, COLLECTOR_GRPC_ADDRESS: `127.0.0.1:${collector.ports.grpc}` };
  try {
    const { stdout, stderr } = await run('npm', ['run', '-s', 'send', '--', ...args], { cwd: ROOT, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...targets, ...env }, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** A file of lines: valid events (with their own event_id), a blank line and lines every path must refuse. */
function mixedFile(label: string): { text: string; valid: Map<number, Record<string, unknown>> } {
  const valid = new Map<number, Record<string, unknown>>();
  const ok = (line: number, extra: Record<string, unknown> = {}) => {
    const event = { event_id: randomUUID(), event_type: 'order_paid', page_url: `https://shop.example/${label}/${line}`, user_id: `u-${label}`, ...extra };
    valid.set(line, event);
    return JSON.stringify(event);
  };
  const lines = [
    ok(1, { metadata: { amount: 12.5, items: [{ sku: 'é-1', qty: 2 }], note: 'say "hi"' } }),
    '',
    '{"event_type": "broken"',
    `${ok(4, { screen_width: 390, ip: '203.0.113.9', user_agent: 'Mozilla/5.0 (X11; Linux x86_64)' })}\r`,
    JSON.stringify({ event_type: 'order_paid', page_url: 'not-a-url' }),
    JSON.stringify({ event_type: 5, page_url: 'https://shop.example/x' }),
    ok(7),
    '{"event_type":"order_paid","page_url":"https://shop.example/n","metadata":{"n":9007199254740993}}',
  ];
  return { text: `${lines.join('\n')}\n`, valid };
}

const REFUSED = [
  [3, '/'],
  [5, '/page_url'],
  [6, '/event_type'],
  [8, '/metadata/n'],
];

/** Events accepted so far in this file: the topic holds exactly these records. */
let acceptedSoFar = 0;

/** Every record on the topic, by event id (each event id must be there once). */
async function topicRecords(accepted: number): Promise<Map<unknown, Record<string, unknown>>> {
  acceptedSoFar += accepted;
  const records = await consumeRecords(kafka, topic, acceptedSoFar);
  const byId = new Map(records.map((r) => [r.value.event_id, r.value]));
  assert.equal(byId.size, records.length, 'no event twice on the topic');
  return byId;
}

for (const transport of ['--http', '--grpc'] as const) {
  test(`${transport}: the summary in file lines, the valid lines stored as written, exit 0`, async () => {
    const { text, valid } = mixedFile(transport.slice(2));
    const file = path.join(dir, `mixed${transport}.ndjson`);
    await writeFile(file, text);
    const ran = await send([transport, file]);
    assert.equal(ran.code, 0, ran.stderr);
    const summary = JSON.parse(ran.stdout) as { accepted: number; rejected: number; errors: { line: number; field: string; message: string }[]; last_acked_line: number };
    assert.equal(summary.accepted, 3, ran.stdout);
    assert.equal(summary.rejected, 4, ran.stdout);
    assert.equal(summary.last_acked_line, 8);
    assert.deepEqual(summary.errors.map((e) => [e.line, e.field]), REFUSED, ran.stdout);
    assert.match(summary.errors.find((e) => e.line === 8)!.message, /cannot be stored exactly/);

    const stored = await topicRecords(summary.accepted);
    for (const event of valid.values()) {
      const record = stored.get(event.event_id);
      assert.ok(record, `event ${String(event.event_id)} stored`);
      for (const [field, value] of Object.entries(event)) if (field !== 'ip') assert.deepEqual(record[field], value, `${field} of ${String(event.event_id)}`);
      assert.equal('ip' in record, false, 'the ip is never written');
    }
  });
}

for (const transport of ['--http', '--grpc'] as const) {
  test(`${transport} --from-line N: lines before N are not sent; errors and last_acked_line stay file lines`, async () => {
    const events = [1, 3, 6].map((line) => ({ line, event: { event_id: randomUUID(), event_type: 'signup', page_url: `https://shop.example/from/${line}` } }));
    const lines = [
      JSON.stringify(events[0]!.event),
      '{"event_type":"signup","page_url":"bad"}',
      JSON.stringify(events[1]!.event),
      '',
      '{"event_type":"signup","page_url":"bad"}',
      JSON.stringify(events[2]!.event),
    ];
    const file = path.join(dir, `from${transport}.ndjson`);
    await writeFile(file, lines.join('\n'));
    const ran = await send([transport, file, '--from-line', '3']);
    assert.equal(ran.code, 0, ran.stderr);
    const summary = JSON.parse(ran.stdout) as { accepted: number; rejected: number; errors: { line: number; field: string }[]; last_acked_line: number };
    assert.deepEqual([summary.accepted, summary.rejected, summary.last_acked_line], [2, 1, 6], ran.stdout);
    assert.deepEqual(summary.errors.map((e) => [e.line, e.field]), [[5, '/page_url']]);
    const stored = await topicRecords(summary.accepted);
    assert.equal(stored.has(events[0]!.event.event_id), false, 'line 1 is before --from-line');
    assert.ok(stored.has(events[1]!.event.event_id) && stored.has(events[2]!.event.event_id));
  });
}

test('an organization-wide key names its project with --project, over both transports', async () => {
  const file = path.join(dir, 'org.ndjson');
  const ids = [randomUUID(), randomUUID()];
  await writeFile(file, ids.map((id) => JSON.stringify({ event_id: id, event_type: 'signup', page_url: 'https://shop.example/org' })).join('\n'));
  const orgKey = { [KEY_VARIABLE]: tenants.shop.orgKey };
  const without = await send(['--grpc', file], orgKey);
  assert.equal(without.code, 1, 'an organization key alone names no project');
  let accepted = 0;
  for (const [transport, id] of [['--http', ids[0]!], ['--grpc', ids[1]!]] as const) {
    await writeFile(file, JSON.stringify({ event_id: id, event_type: 'signup', page_url: 'https://shop.example/org' }));
    const ran = await send([transport, file, '--project', tenants.shop.project.id], orgKey);
    assert.equal(ran.code, 0, ran.stderr);
    accepted += (JSON.parse(ran.stdout) as { accepted: number }).accepted;
  }
  const stored = await topicRecords(accepted);
  for (const id of ids) assert.equal(stored.get(id)?.project_id, tenants.shop.project.id, `${id} in the named project`);
});

test('usage errors exit 2 with the usage; refusals and unreachable collectors exit 1 saying why', async () => {
  const usage = await send([]);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /--http or --grpc/);
  assert.match(usage.stderr, /usage: npm run -s send --/);
  assert.equal((await send(['--http', 'x.ndjson'], {})).code, 2, 'no key');

  const file = path.join(dir, 'one.ndjson');
  await writeFile(file, '{"event_type":"signup","page_url":"https://shop.example/"}\n');
  const wrongKey = { [KEY_VARIABLE]: 'sk_not_a_key_at_all_000000000000000000000' };
  const http = await send(['--http', file], wrongKey);
  assert.equal(http.code, 1);
  assert.match(http.stderr, /refused: HTTP 401/);
  const grpc = await send(['--grpc', file], wrongKey);
  assert.equal(grpc.code, 1);
  assert.match(grpc.stderr, /refused: gRPC UNAUTHENTICATED/);
  const missing = await send(['--grpc', path.join(dir, 'missing.ndjson')]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /ENOENT/);
  const away = await send(['--http', file, '--url', 'http://127.0.0.1:9', '--from-line', '1']);
  assert.equal(away.code, 1);
  assert.match(away.stderr, /resume with: npm run -s send -- --http \S+ --url http:\/\/127\.0\.0\.1:9 --from-line 1$/m);
  assert.equal(away.stdout, '', 'no summary when the collector never answered');
});

test('--http: a line over the collector limit is named by its file line, with the commands to fix or skip it; skipping completes the file', async () => {
  const file = path.join(dir, 'long-line.ndjson');
  const ids = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
  const lines = ids.map((id) => JSON.stringify({ event_id: id, event_type: 'signup', page_url: 'https://shop.example/long' }));
  // Line 3 (of the file; line 2 of a stream sent from line 2) is over STREAM_MAX_LINE_BYTES (64 KiB).
  lines[2] = JSON.stringify({ event_id: ids[2], event_type: 'signup', page_url: 'https://shop.example/long', metadata: { pad: 'x'.repeat(70_000) } });
  await writeFile(file, `${lines.join('\n')}\n`);
  const ran = await send(['--http', file, '--from-line', '2']);
  assert.equal(ran.code, 1, ran.stderr);
  assert.match(ran.stderr, /line 3 is longer than \d+ bytes/);
  assert.match(ran.stderr, /shorten it in the file, then resume with: npm run -s send -- --http \S+ (--url \S+ )?--from-line 3$/m);
  assert.match(ran.stderr, /leave line 3 out and resume with: npm run -s send -- --http \S+ (--url \S+ )?--from-line 4$/m);
  assert.equal(JSON.parse(ran.stdout).last_acked_line, 2);
  const skipped = await send(['--http', file, '--from-line', '4']);
  assert.equal(skipped.code, 0, skipped.stderr);
  const stored = await topicRecords(2);
  assert.deepEqual([ids[1], ids[3]].map((id) => stored.has(id!)), [true, true]);
  assert.equal(stored.has(ids[0]!), false, 'line 1 is before --from-line');
});

test('--grpc: a line over the collector limit is refused by its file line and the rest of the file is stored', async () => {
  const file = path.join(dir, 'long-line-grpc.ndjson');
  const ids = [randomUUID(), randomUUID(), randomUUID()];
  const lines = ids.map((id) => JSON.stringify({ event_id: id, event_type: 'signup', page_url: 'https://shop.example/long-grpc' }));
  lines[1] = JSON.stringify({ event_id: ids[1], event_type: 'signup', page_url: 'https://shop.example/long-grpc', metadata: { pad: 'x'.repeat(70_000) } });
  await writeFile(file, `${lines.join('\n')}\n`);
  const ran = await send(['--grpc', file, '--from-line', '2']);
  assert.equal(ran.code, 0, ran.stderr);
  const summary = JSON.parse(ran.stdout) as { accepted: number; rejected: number; errors: { line: number; message: string }[]; last_acked_line: number };
  assert.deepEqual([summary.accepted, summary.rejected, summary.last_acked_line], [1, 1, 3]);
  assert.equal(summary.errors[0]!.line, 2);
  assert.match(summary.errors[0]!.message, /longer than 65536 bytes \(STREAM_MAX_LINE_BYTES\)/);
  const stored = await topicRecords(1);
  assert.equal(stored.has(ids[2]!), true);
  assert.equal(stored.has(ids[1]!), false);
});

for (const transport of ['--http', '--grpc'] as const) {
  test(`${transport}: Ctrl-C stops at a line's end, prints the summary and the resume command; resuming completes the file, each event once`, { timeout: 180_000 }, async () => {
    const file = path.join(dir, `interrupt${transport}.ndjson`);
    const total = 150_000;
    const ids = Array.from({ length: total }, () => randomUUID());
    await writeFile(file, ids.map((id, i) => JSON.stringify({ event_id: id, event_type: 'signup', page_url: `https://shop.example/ctrl-c/${i}`, metadata: { pad: 'p'.repeat(200) } })).join('\n'));
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, COLLECTOR_URL: collector.url, COLLECTOR_GRPC_ADDRESS: `127.0.0.1:${collector.ports.grpc}`, [KEY_VARIABLE]: tenants.shop.ingestKey };
    // Interrupt once some lines are acknowledged (the collector counts them per answered chunk) but before the end.
    const acceptedTotal = async () => Number(/^collector_events_accepted_total (\d+)/m.exec(await (await fetch(`${collector.url}/metrics`)).text())?.[1] ?? 0);
    const before = await acceptedTotal();
    // node itself (not npm and tsx, which relay signals of their own): one SIGINT, as a terminal's Ctrl-C is one.
    const child = spawn(process.execPath, ['--import', 'tsx', 'send/cli.ts', transport, file], { cwd: ROOT, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    await waitFor('lines acknowledged', acceptedTotal, { until: (n) => n > before + 2000, intervalMs: 50, timeoutMs: 60_000 });
    child.kill('SIGINT');
    assert.equal(await exited, 1, stderr);
    assert.match(stderr, /stopped: interrupted \(Ctrl-C\)/);
    const summary = JSON.parse(stdout) as { accepted: number; rejected: number; last_acked_line: number };
    assert.ok(summary.last_acked_line > 0 && summary.last_acked_line < total, JSON.stringify(summary));
    assert.equal(summary.rejected, 0, 'no line was cut in two');
    const resume = new RegExp(`resume with: npm run -s send -- ${transport} \\S+ (--url \\S+ |--grpc-address \\S+ )?--from-line ${summary.last_acked_line + 1}$`, 'm');
    assert.match(stderr, resume);
    const rest = await send([transport, file, '--from-line', String(summary.last_acked_line + 1)]);
    assert.equal(rest.code, 0, rest.stderr);
    const stored = await topicRecords(summary.accepted + (JSON.parse(rest.stdout) as { accepted: number }).accepted);
    assert.equal(ids.filter((id) => stored.has(id)).length, total, 'every line stored once');
  });
}
