// What the collector answers 2xx for reaches Kafka exactly as sent (every string, number and
// byte encoding); what it cannot keep exactly it refuses with a 4xx naming the field and the real
// reason; browser requests from origins not allowed are refused with 403. Checked on the Kafka
// record's own bytes, against the values sent, not with the contract's validator.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { LIMITS } from '#contract';
import { collectorBed, consumeRecords } from './helpers.ts';

const bed = await collectorBed('collector-exact', { rateLimitMax: 0 });
const { app, kafka, topic } = bed;
after(() => bed.close());

const post = (payload: string | Buffer, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url: '/analytics', headers: { 'content-type': 'application/json', ...headers }, payload });

const event = (fields: Record<string, unknown>) => ({ event_id: randomUUID(), event_type: 'page_view', page_url: 'http://example.test/a', session_id: 's1', ...fields });

const surrogatePairs = (n: number) => '😀'.repeat(n);

// name, what is sent (the bytes and the header), and the fields the Kafka record must hold.
const acceptedCases: { name: string; body: Buffer; contentType: string; expect: Record<string, unknown> }[] = [];
function accept(name: string, fields: Record<string, unknown>, encode: (json: string) => Buffer = (j) => Buffer.from(j, 'utf8'), contentType = 'application/json', raw?: string) {
  const e = event(fields);
  acceptedCases.push({ name, body: encode(raw ?? JSON.stringify(e)), contentType, expect: e });
}
accept('ISO-8859-1 declared: byte E9 is é', { page_title: 'Café' }, (j) => Buffer.from(j, 'latin1'), 'application/json; charset=ISO-8859-1');
accept('quoted charset, text/plain', { page_title: 'Grüße' }, (j) => Buffer.from(j, 'latin1'), 'text/plain; charset="iso-8859-1"');
accept('UTF-16LE declared', { page_title: 'Überall 日本 😀' }, (j) => Buffer.from(j, 'utf16le'), 'application/json; charset=utf-16le');
accept('UTF-8 byte order mark is the encoding, not the content', { page_title: 'bom' }, (j) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(j)]));
accept('a BOM inside a value is content and kept', { page_title: '\uFEFFx' });
for (const [field, max] of [['page_title', LIMITS.pageTitle], ['button_id', LIMITS.buttonId], ['user_agent', LIMITS.userAgent], ['site_id', LIMITS.siteId], ['session_id', LIMITS.sessionId]] as const) {
  accept(`${field}: ${max} emoji (the limit counts characters)`, { [field]: surrogatePairs(max) });
}
accept('page_url with emoji up to the limit', { page_url: `http://example.test/${surrogatePairs(LIMITS.pageUrl - 20)}` });
{
  const numbers = { max_safe: 9007199254740991, tenth: 0.1, big: 1e21, tiny: 5e-324, neg: -123.456, list: [1.5, [2.25, { x: 1e300 }]] };
  accept('numbers a double holds exactly', { metadata: numbers });
  const e = event({ metadata: { a: 1.5, b: 100 } });
  // Same values written differently: 1.50 and 1e2 are the numbers 1.5 and 100.
  acceptedCases.push({ name: 'equal numbers in another notation', body: Buffer.from(JSON.stringify(e).replace('1.5', '1.50').replace(':100', ':1e2')), contentType: 'application/json', expect: e });
}
// windows-1252 bytes 0x80-0x9F are letters and punctuation (0x80 €, 0x93/0x94 “ ”, 0x8A Š), not
// C1 controls, under every label the Encoding Standard gives it (Node 20's own decoder gets them wrong).
for (const label of ['windows-1252', 'ISO-8859-1', 'latin1', 'cp1252', 'x-cp1252', 'us-ascii', 'ascii', 'iso_8859-1']) {
  const e = event({ page_title: '€ “q” Š' });
  const [head, tail] = JSON.stringify({ ...e, page_title: '<>' }).split('<>') as [string, string];
  const body = Buffer.concat([Buffer.from(head), Buffer.from([0x80, 0x20, 0x93, 0x71, 0x94, 0x20, 0x8a]), Buffer.from(tail)]);
  acceptedCases.push({ name: `windows-1252 bytes 0x80-0x9F as ${label}`, body, contentType: `application/json; charset=${label}`, expect: e });
}
// Clamped times whose original timestamptz cannot read as written (an offset beyond ±15:59, the
// year 0000) are accepted: the Kafka record keeps them as sent, the database their instant.
for (const original of ['2026-11-20T10:00:00+16:00', '1969-12-31T23:59:59.999999-23:59', '0000-01-01T00:00:00Z', '9999-12-31T23:59:59.999999-23:59']) {
  accept(`clamped timestamp ${original} kept as sent in client_timestamp`, { timestamp: original });
}
{
  // A UUID's canonical form is lower-case: answered, published and stored that way.
  const e = event({});
  acceptedCases.push({ name: 'upper-case event_id answered and published lower-case', body: Buffer.from(JSON.stringify({ ...e, event_id: e.event_id.toUpperCase() })), contentType: 'application/json', expect: e });
}
accept('RFC 3339 timestamp with microseconds, kept to the microsecond', { timestamp: new Date(Date.now() - 60_000).toISOString().replace('Z', '456Z') });

test('2xx: each accepted body reaches Kafka with every value as sent', async () => {
  for (const c of acceptedCases) {
    const res = await post(c.body, { 'content-type': c.contentType });
    assert.equal(res.statusCode, 200, `${c.name}: ${res.body}`);
    assert.equal(res.json().eventId, c.expect.event_id, `${c.name}: the id answered is the id stored`);
  }
  const records = await consumeRecords(kafka, topic, acceptedCases.length);
  const byId = new Map(records.map((r) => [r.value.event_id, r.value]));
  for (const c of acceptedCases) {
    const stored = byId.get(c.expect.event_id);
    assert.ok(stored, c.name);
    for (const [key, value] of Object.entries(c.expect)) {
      if (key === 'timestamp' && stored.client_timestamp !== undefined) assert.equal(stored.client_timestamp, value, `${c.name}: client_timestamp`);
      else assert.deepEqual(stored[key], value, `${c.name}: ${key}`);
    }
  }
});

const refusedCases: { name: string; body: Buffer | string; contentType?: string; contentEncoding?: string; status: number; field: string; message: RegExp }[] = [
  { name: 'undeclared Latin-1 byte is not UTF-8', body: Buffer.from(JSON.stringify(event({ page_title: 'Café' })), 'latin1'), status: 400, field: '/page_title', message: /not valid UTF-8 \(byte \d+: 0xe9\)/ },
  { name: 'invalid UTF-8 in metadata', body: Buffer.concat([Buffer.from('{"event_type":"x","page_url":"http://a.b","metadata":{"k":["ok","'), Buffer.from([0xc3, 0x28]), Buffer.from('"]}}')]), status: 400, field: '/metadata/k/1', message: /not valid UTF-8/ },
  { name: 'encoded UTF-16 surrogate (CESU) bytes', body: Buffer.concat([Buffer.from('{"event_type":"x","page_url":"http://a.b","page_title":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}')]), status: 400, field: '/page_title', message: /not valid UTF-8 \(byte \d+: 0xed\)/ },
  { name: 'unknown charset', body: JSON.stringify(event({})), contentType: 'application/json; charset=x-made-up', status: 415, field: '/', message: /charset "x-made-up" is not supported/ },
  { name: 'charset the Encoding Standard refuses', body: JSON.stringify(event({})), contentType: 'application/json; charset=iso-2022-kr', status: 415, field: '/', message: /charset "iso-2022-kr" is not supported/ },
  { name: 'integer beyond 2^53', body: '{"event_type":"x","page_url":"http://a.b","metadata":{"order":9007199254740993}}', status: 400, field: '/metadata/order', message: /9007199254740993 cannot be stored exactly/ },
  { name: 'overflow to Infinity inside an array', body: '{"event_type":"x","page_url":"http://a.b","metadata":{"l":[1,{"v":1e400}]}}', status: 400, field: '/metadata/l/1/v', message: /cannot be stored exactly/ },
  { name: 'underflow to 0', body: '{"event_type":"x","page_url":"http://a.b","metadata":{"v":1e-400}}', status: 400, field: '/metadata/v', message: /cannot be stored exactly/ },
  { name: 'too many decimal digits', body: '{"event_type":"x","page_url":"http://a.b","metadata":{"v":0.10000000000000000000001}}', status: 400, field: '/metadata/v', message: /cannot be stored exactly/ },
  { name: 'a key given twice', body: '{"event_type":"x","page_url":"http://a.b","metadata":{"a":1,"a":2}}', status: 400, field: '/metadata/a', message: /given twice/ },
  { name: 'a top-level field given twice', body: '{"event_type":"x","page_url":"http://a.b","page_url":"http://c.d"}', status: 400, field: '/page_url', message: /given twice/ },
  { name: 'duplicate key in a batch item', body: '[{"event_type":"x","page_url":"http://a.b"},{"event_type":"x","page_url":"http://a.b","metadata":{"k\\u0061":1,"ka":2}}]', status: 400, field: '/1/metadata/ka', message: /given twice/ },
  { name: 'NUL is refused, not removed', body: JSON.stringify(event({ page_title: 'a\u0000b' })), status: 400, field: '/page_title', message: /^contains a NUL character \(U\+0000\)/ },
  { name: 'NUL inside a metadata array', body: JSON.stringify(event({ metadata: { l: ['ok', 'a\u0000'] } })), status: 400, field: '/metadata/l/1', message: /^contains a NUL character \(U\+0000\)/ },
  { name: 'lone surrogate is refused, not replaced', body: JSON.stringify(event({ page_title: `${'t'.repeat(199)}\uD83D` })), status: 400, field: '/page_title', message: /^contains a lone UTF-16 surrogate/ },
  { name: 'lone surrogate inside a metadata array', body: JSON.stringify(event({ metadata: { l: [['\uDE00']] } })), status: 400, field: '/metadata/l/0/0', message: /^contains a lone UTF-16 surrogate/ },
  { name: 'too-long URL says too long', body: JSON.stringify(event({ page_url: `http://example.test/${'p'.repeat(LIMITS.pageUrl)}` })), status: 400, field: '/page_url', message: /too long: at most 500 characters/ },
  { name: 'too many emoji say too long', body: JSON.stringify(event({ page_title: surrogatePairs(LIMITS.pageTitle + 1) })), status: 400, field: '/page_title', message: /too long: at most 200 characters \(got 201\)/ },
  { name: 'impossible date', body: JSON.stringify(event({ timestamp: '2026-11-31T10:00:00Z' })), status: 400, field: '/timestamp', message: /RFC 3339/ },
  { name: 'no offset', body: JSON.stringify(event({ timestamp: '2026-11-30T10:00:00' })), status: 400, field: '/timestamp', message: /offset/ },
  { name: 'nanoseconds would be rounded', body: JSON.stringify(event({ timestamp: '2026-11-30T10:00:00.123456789Z' })), status: 400, field: '/timestamp', message: /6 fractional digits/ },
  { name: 'negative zero (jsonb has none)', body: '{"event_type":"x","page_url":"http://a.b","metadata":{"n":-0}}', status: 400, field: '/metadata/n', message: /-0 cannot be stored exactly \(PostgreSQL jsonb has no negative zero/ },
  { name: 'negative zero written -0.0 in an array', body: '{"event_type":"x","page_url":"http://a.b","metadata":{"l":[1,-0.0]}}', status: 400, field: '/metadata/l/1', message: /no negative zero/ },
  { name: 'NUL in a metadata key names the key', body: JSON.stringify(event({ metadata: { 'k\u0000': 1 } })), status: 400, field: '/metadata/k\u0000', message: /^a key contains a NUL character/ },
  { name: 'lone surrogate in a metadata key names the key', body: JSON.stringify(event({ metadata: { '\ud83d': 1 } })), status: 400, field: '/metadata/\ud83d', message: /^a key contains a lone UTF-16 surrogate/ },
  { name: 'a bad key holding "/" and "~" is named escaped, as on every service', body: JSON.stringify(event({ metadata: { 'a/b~\u0000': 1 } })), status: 400, field: '/metadata/a~1b~0\u0000', message: /^a key contains a NUL character/ },
  { name: 'a prototype key names the key', body: '{"event_type":"x","page_url":"http://a.b","metadata":{"constructor":1}}', status: 400, field: '/metadata/constructor', message: /^key "constructor" is not allowed/ },
  { name: 'nil UUID as event_id', body: JSON.stringify(event({ event_id: '00000000-0000-0000-0000-000000000000' })), status: 400, field: '/event_id', message: /nil UUID/ },
  { name: 'charset given twice', body: JSON.stringify(event({})), contentType: 'application/json; charset=iso-8859-1; charset=utf-8', status: 415, field: '/', message: /charset parameter twice/ },
  { name: 'charset with spaces around "="', body: JSON.stringify(event({})), contentType: 'application/json; charset = iso-8859-1', status: 415, field: '/', message: /malformed/ },
  { name: 'a single-byte charset whose decoding is not verified', body: JSON.stringify(event({})), contentType: 'application/json; charset=iso-8859-2', status: 415, field: '/', message: /charset "iso-8859-2" is not supported/ },
];
for (const coding of ['gzip', 'deflate', 'br', 'x-unknown', 'gzip, identity']) {
  const json = JSON.stringify(event({}));
  const body = coding === 'gzip' ? gzipSync(json) : coding === 'deflate' ? deflateSync(json) : coding === 'br' ? brotliCompressSync(json) : Buffer.from(json);
  refusedCases.push({ name: `Content-Encoding ${coding} is named, not called invalid UTF-8`, body, contentEncoding: coding, status: 415, field: '/', message: new RegExp(`Content-Encoding "${coding.split(',')[0]}" is not supported`) });
}

for (const c of refusedCases) {
  test(`${c.status}: ${c.name} (${c.field})`, async () => {
    const res = await post(c.body, { ...(c.contentType === undefined ? {} : { 'content-type': c.contentType }), ...(c.contentEncoding === undefined ? {} : { 'content-encoding': c.contentEncoding }) });
    assert.equal(res.statusCode, c.status, res.body);
    const body = res.json() as { success: boolean; message: string; errors?: { field: string; message: string }[] };
    assert.equal(body.success, false);
    const named = body.errors?.find((e) => e.field === c.field);
    assert.ok(named, `expected ${c.field} in ${res.body}`);
    assert.match(c.status === 415 ? body.message : named.message, c.message);
  });
}

test('one refused field: the answer\'s message names it ("<field>: <reason>"), errors[] give the reason beside the field', async () => {
  for (const [body, field, error] of [
    ['{"event_type":"x","page_url":"http://a.b","metadata":{"a":1,"a":2}}', '/metadata/a', 'validation_failed'],
    [JSON.stringify(event({ site_id: 'pk_no_such_project_0123456789' })), '/site_id', 'unknown_site_key'],
  ] as const) {
    const res = await post(body);
    const answer = res.json() as { error: string; message: string; errors: { field: string; message: string }[] };
    assert.deepEqual([res.statusCode, answer.error, answer.errors.length, answer.errors[0]!.field], [400, error, 1, field], res.body);
    assert.equal(answer.message, `${field}: ${answer.errors[0]!.message}`);
  }
});

test('browser origins: only allowed ones may send; requests with neither Origin nor Referer keep working', async () => {
  const body = JSON.stringify(event({}));
  const send = (headers: Record<string, string>) => post(body, { 'content-type': 'text/plain', ...headers });
  const refused: Record<string, string>[] = [
    { origin: 'https://other.example' },
    { origin: 'null' },
    { referer: 'https://other.example/page?x=1' },
    { referer: 'not a url' },
    { origin: 'http://localhost.evil.example' },
  ];
  for (const headers of refused) {
    const res = await send(headers);
    assert.equal(res.statusCode, 403, `${JSON.stringify(headers)}: ${res.body}`);
    assert.equal(res.json().error, 'origin_not_allowed');
    assert.match(res.json().message, /may not send events/);
    // Readable by the page's script, so the tracker sees 403 (final) instead of a CORS failure it would retry.
    assert.ok(res.headers['access-control-allow-origin'], JSON.stringify(res.headers));
    assert.match(String(res.headers['content-type']), /^application\/json/);
  }
  const allowed: Record<string, string>[] = [{}, { origin: 'http://localhost:8080' }, { referer: 'http://127.0.0.1:8080/page2.html' }, { origin: 'http://localhost:8080', referer: 'https://other.example/' }];
  for (const headers of allowed) {
    const res = await send(headers);
    assert.equal(res.statusCode, 200, `${JSON.stringify(headers)}: ${res.body}`);
  }
});

