// Every status the collector answers, through app.inject() on an app wired to the real broker
// (private topic) or, for 503, to a broker address where nothing listens.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_PROJECT_ID } from '#contract';
import { buildApp } from '../../collector/src/app.ts';
import { freePort } from '../support/service-kit.ts';
import { capturingLogger, collectorBed, consumeRecords, silentLogger, testConfig, testPublisher } from './helpers.ts';

const curlBody = {
  event_type: 'button_click',
  page_url: 'http://test.com/page',
  page_title: 'Test Page',
  button_id: 'test-button',
  session_id: 'test-session-123',
  user_agent: 'curl/7.0',
};

const bed = await collectorBed('collector-app', { bodyLimitBytes: 64 * 1024 }, { docs: true });
const { app, publisher, kafka, topic } = bed;
after(() => bed.close());

const post = (payload: unknown, headers: Record<string, string> = {}) =>
  app.inject({
    method: 'POST',
    url: '/analytics',
    headers: { 'content-type': 'application/json', ...headers },
    payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
  });

test('200: the design curl body answers with the design body and an event id', async () => {
  const res = await post(curlBody);
  assert.equal(res.statusCode, 200);
  const body = res.json();
  assert.deepEqual(Object.keys(body).sort(), ['eventId', 'message', 'success']);
  assert.equal(body.success, true);
  assert.equal(body.message, 'Event received and sent to Kafka');
  assert.match(body.eventId, /^[0-9a-f-]{36}$/);
});

test('200: text/plain JSON (sendBeacon) is accepted and keeps a client event_id', async () => {
  const eventId = '6f1c1a52-3b7e-4d6a-9a55-0c1b2d3e4f50';
  const res = await post({ ...curlBody, event_id: eventId }, { 'content-type': 'text/plain;charset=UTF-8' });
  assert.equal(res.statusCode, 200);
  assert.equal(res.json().eventId, eventId);
});

test('200: a mixed batch accepts valid siblings and reports the rest by index and field', async () => {
  const res = await post([curlBody, { ...curlBody, page_url: 'not a url' }, { ...curlBody, session_id: 'other' }]);
  assert.equal(res.statusCode, 200);
  const body = res.json();
  assert.equal(body.accepted, 2);
  assert.equal(body.rejected, 1);
  assert.equal(body.eventIds.length, 2);
  assert.deepEqual(body.errors, [{ index: 1, field: '/1/page_url', message: 'must be an absolute http(s) URL' }]);
});

test('400: invalid bodies name the field and nothing reaches Kafka', async () => {
  const cases: [string, unknown, string][] = [
    ['missing page_url', { event_type: 'page_view' }, '/page_url'],
    ['bad event_type', { ...curlBody, event_type: 'no spaces allowed' }, '/event_type'],
    ['wrong type', { ...curlBody, page_title: 5 }, '/page_title'],
    // Values are taken as their JSON type, never converted.
    ['a string where a number is expected', { ...curlBody, screen_width: '390' }, '/screen_width'],
    ['a list where an object is expected', { ...curlBody, metadata: ['plan', 'pro'] }, '/metadata'],
    ['__proto__ key', '{"event_type":"x","page_url":"http://a.com","metadata":{"__proto__":{"admin":true}}}', '/metadata/__proto__'],
    ['deep metadata', { ...curlBody, metadata: { a: { b: { c: { d: { e: { f: 1 } } } } } } }, '/metadata/a/b/c/d/e'],
    ['NUL byte', { ...curlBody, button_id: 'a\u0000' }, '/button_id'],
    ['lone surrogate', '{"event_type":"x","page_url":"http://a.com","page_title":"\\ud800"}', '/page_title'],
    ['all-invalid batch', [{ event_type: 'x' }, { page_url: 'http://a.com' }], '/0/page_url'],
    ['empty batch', [], '/'],
    ['malformed JSON', '{"event_type":', '/'],
    ['empty body', ' ', '/'],
    ['JSON scalar', '"hello"', '/'],
  ];
  for (const [name, payload, field] of cases) {
    const res = await post(payload);
    assert.equal(res.statusCode, 400, name);
    const body = res.json();
    assert.equal(body.success, false, name);
    assert.ok(['validation_failed', 'invalid_json'].includes(body.error), name);
    assert.ok(body.errors.some((e: { field: string }) => e.field === field), `${name}: ${JSON.stringify(body.errors)}`);
  }
});

test('413: a body over the limit, with CORS headers on the error', async () => {
  const res = await post({ ...curlBody, metadata: { big: 'x'.repeat(70 * 1024) } }, { origin: 'http://localhost:8080' });
  assert.equal(res.statusCode, 413);
  assert.equal(res.json().error, 'payload_too_large');
  assert.equal(res.headers['access-control-allow-origin'], 'http://localhost:8080');
});

test('415: unknown content types, with CORS headers on the error', async () => {
  for (const type of ['application/xml', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded']) {
    const res = await post('<a/>', { 'content-type': type, origin: 'http://localhost:8080' });
    assert.equal(res.statusCode, 415, type);
    assert.equal(res.json().error, 'unsupported_media_type');
    assert.equal(res.headers['access-control-allow-origin'], 'http://localhost:8080');
  }
});

test('CORS: demo and localhost origins allowed, preflight answered, foreign origins refused with a readable 403', async () => {
  const ok = await post(curlBody, { origin: 'http://127.0.0.1:5173' });
  assert.equal(ok.headers['access-control-allow-origin'], 'http://127.0.0.1:5173');
  const bad = await post({}, { origin: 'http://localhost:8080' });
  assert.equal(bad.statusCode, 400);
  assert.equal(bad.headers['access-control-allow-origin'], 'http://localhost:8080');
  const foreign = await post(curlBody, { origin: 'https://evil.example' });
  assert.equal(foreign.statusCode, 403);
  assert.equal(foreign.json().error, 'origin_not_allowed');
  assert.equal(foreign.headers['access-control-allow-origin'], 'https://evil.example');
  const preflight = await app.inject({
    method: 'OPTIONS',
    url: '/analytics',
    headers: { origin: 'http://localhost:8080', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
  });
  assert.equal(preflight.statusCode, 204);
  assert.match(String(preflight.headers['access-control-allow-methods']), /POST/);
});

test('health, metrics and docs', async () => {
  const health = await app.inject({ method: 'GET', url: '/health' });
  assert.equal(health.statusCode, 200);
  const body = health.json();
  assert.equal(body.status, 'ok');
  assert.equal(body.kafkaReady, true);
  assert.ok(!Number.isNaN(Date.parse(body.timestamp)));

  const metrics = await app.inject({ method: 'GET', url: '/metrics' });
  assert.equal(metrics.statusCode, 200);
  assert.match(metrics.body, /collector_events_accepted_total [1-9]/);
  assert.match(metrics.body, /collector_events_rejected_total\{reason="validation_failed"\} [1-9]/);
  assert.match(metrics.body, /collector_http_requests_total\{method="POST",route="\/analytics",status="400"\}/);
  assert.match(metrics.body, /collector_kafka_batch_records_count [1-9]/);

  const docs = await app.inject({ method: 'GET', url: '/docs/json' });
  assert.equal(docs.statusCode, 200);
  const spec = docs.json();
  assert.ok(spec.paths['/analytics'].post);
  assert.match(JSON.stringify(spec.paths['/analytics'].post.requestBody), /#\/components\/schemas\/IncomingEvent/);
  assert.ok(spec.components.schemas.IncomingEvent.properties.page_url);
});

test('accepted events are on the topic, keyed by project and visitor id, stamped with receipt time', async () => {
  const records = await consumeRecords(kafka, topic, 1 + 1 + 2 + 1);
  const curl = records.find((r) => r.value.button_id === 'test-button');
  assert.ok(curl, 'design body on the topic');
  assert.match(String(curl.value.visitor_id), /^h:[0-9a-f]{32}$/);
  assert.equal(curl.key, `${DEFAULT_PROJECT_ID}:${String(curl.value.visitor_id)}`);
  assert.equal(Date.parse(curl.value.received_at as string), Number(curl.timestamp));
  // Nothing invalid was produced: every record satisfies the contract.
  for (const r of records) assert.equal(typeof r.value.event_id, 'string');
  assert.ok(!records.some((r) => r.value.page_url === 'not a url'));
});

test('429: the per-IP rate limit answers with Retry-After', async () => {
  const config = testConfig({ kafkaTopic: topic, rateLimitMax: 2, rateLimitWindowMs: 60_000 });
  const limited = await buildApp({ config, publisher, logger: silentLogger, docs: false });
  try {
    const codes: number[] = [];
    let last;
    for (let i = 0; i < 3; i++) {
      last = await limited.inject({
        method: 'POST',
        url: '/analytics',
        headers: { 'content-type': 'application/json', origin: 'http://localhost:8080' },
        payload: '{}',
      });
      codes.push(last.statusCode);
    }
    assert.deepEqual(codes, [400, 400, 429]);
    assert.equal(last!.json().error, 'rate_limited');
    assert.ok(Number(last!.headers['retry-after']) > 0);
    assert.equal(last!.headers['access-control-allow-origin'], 'http://localhost:8080');
  } finally {
    await limited.close();
  }
});

test('503: Kafka unreachable answers 503 with Retry-After, and /health says so; each 503 is logged with its reason', async () => {
  const closedPort = await freePort();
  const config = testConfig({ kafkaBrokers: `127.0.0.1:${closedPort}`, kafkaTopic: topic });
  const downPublisher = testPublisher(config);
  const { logger, lines } = capturingLogger();
  const down = await buildApp({ config, publisher: downPublisher, logger, docs: false });
  try {
    const res = await down.inject({
      method: 'POST',
      url: '/analytics',
      headers: { 'content-type': 'application/json', origin: 'http://localhost:8080' },
      payload: JSON.stringify(curlBody),
    });
    assert.equal(res.statusCode, 503);
    assert.equal(res.headers['access-control-allow-origin'], 'http://localhost:8080');
    assert.equal(res.json().error, 'kafka_unavailable');
    assert.equal(res.headers['retry-after'], '5');
    assert.doesNotMatch(res.body, /ECONNREFUSED|kafkajs|stack/i);
    const health = await down.inject({ method: 'GET', url: '/health' });
    assert.equal(health.statusCode, 503);
    assert.equal(health.json().kafkaReady, false);
    assert.match(health.json().message, /^Kafka is not ready/);
    assert.deepEqual(
      lines.filter((l) => l['msg'] === 'request answered with 5xx').map((l) => [l['status'], l['url'], l['error'], l['message']]),
      [
        [503, '/analytics', 'kafka_unavailable', res.json().message],
        [503, '/health', undefined, health.json().message],
      ],
    );
  } finally {
    await down.close();
    await downPublisher.close();
  }
});
