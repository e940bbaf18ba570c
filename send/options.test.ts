// The command line: one transport, one file, a key from the environment, usage errors by name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSendArgs, resumeCommand } from './options.ts';

/** The variable the client reads its key from. */
const KEY_VARIABLE = 'ANALYTICS_API_KEY';
const env = { [KEY_VARIABLE]: 'sk_env' };

test('defaults: the local collector, the key from ANALYTICS_API_KEY, from line 1', () => {
  const r = parseSendArgs(['--grpc', 'events.ndjson'], env);
  assert.ok(r.ok && !r.value.help);
  if (r.ok && !r.value.help) {
    assert.deepEqual([r.value.transport, r.value.file, r.value.key, r.value.url, r.value.grpcAddress, r.value.fromLine, r.value.gzip], ['grpc', 'events.ndjson', 'sk_env', 'http://127.0.0.1:3001', '127.0.0.1:50051', 1, false]);
  }
  const h = parseSendArgs(['--http', 'f', '--key', 'sk_arg', '--url', 'http://h:1/', '--from-line', '7', '--gzip', '--project', 'p1'], { COLLECTOR_URL: 'http://ignored:9' });
  assert.ok(h.ok && !h.value.help);
  if (h.ok && !h.value.help) assert.deepEqual([h.value.key, h.value.url, h.value.fromLine, h.value.gzip, h.value.project], ['sk_arg', 'http://h:1', 7, true, 'p1']);
  const fromEnv = parseSendArgs(['--http', 'f'], { ...env, COLLECTOR_URL: 'http://c:3' });
  assert.ok(fromEnv.ok && !fromEnv.value.help && fromEnv.value.url === 'http://c:3');
});

test('usage errors say what is wrong', () => {
  for (const [argv, e, message] of [
    [['f'], env, /--http or --grpc/],
    [['--http', '--grpc', 'f'], env, /--http or --grpc/],
    [['--http'], env, /name the NDJSON file/],
    [['--http', 'f'], {}, /ANALYTICS_API_KEY/],
    [['--http', 'f', '--from-line', '0'], env, /--from-line/],
    [['--http', 'f', '--from-line', 'x'], env, /--from-line/],
    [['--grpc', 'f', '--gzip'], env, /--gzip is for --http/],
    [['--grpc', 'f', '--grpc-address', 'nohost'], env, /host:port/],
    [['--http', 'f', '--bogus'], env, /bogus/],
  ] as const) {
    const r = parseSendArgs(argv, e);
    assert.equal(r.ok, false, argv.join(' '));
    if (!r.ok) assert.match(r.error, message);
  }
});

test('the resume command repeats the options that matter, never the key', () => {
  const r = parseSendArgs(['--http', 'my events.ndjson', '--key', 'sk_secret', '--gzip', '--url', 'http://h:1'], {});
  assert.ok(r.ok && !r.value.help);
  if (r.ok && !r.value.help) assert.equal(resumeCommand(r.value, 42), "npm run -s send -- --http 'my events.ndjson' --url http://h:1 --gzip --from-line 42");
});
