// The ingest routes end to end through app.inject() into the real broker (private topic): who may
// send, into which project, and what reaches Kafka. Every accepted event is checked on its record.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../collector/src/app.ts';
import type { EventPublisher } from '../../collector/src/events/publisher.ts';
import { DEFAULT_PROJECT_ID } from '#contract';
import { createTopic, deleteTopics, testKafka } from '../support/kafka.ts';
import { KAFKA_BROKER } from '../support/services.ts';
import { waitFor } from '../support/service-kit.ts';
import { consumeRecords, silentLogger, testConfig, testPublisher } from './helpers.ts';
import { seedTenants, type Tenants } from './tenants.ts';

let app: FastifyInstance;
let strictApp: FastifyInstance;
let publisher: EventPublisher;
let topic: string;
let tenants: Tenants;
const kafka = await testKafka('collector-ingest-test');
/** event id → the project its record must carry, for every event answered 2xx. */
const expected = new Map<string, string>();

before(async () => {
  topic = await createTopic(kafka, 'test-collector-ingest');
  tenants = await seedTenants();
  const config = testConfig({ kafkaBrokers: KAFKA_BROKER, kafkaTopic: topic, keyRateLimitPerMinute: 1000 });
  publisher = testPublisher(config);
  app = await buildApp({ config, publisher, logger: silentLogger, directory: tenants.directory });
  strictApp = await buildApp({ config: { ...config, allowDefaultProject: false }, publisher, logger: silentLogger, directory: tenants.directory, docs: false });
  await waitFor('kafka ready', () => publisher.isReady());
});

after(async () => {
  await app.close();
  await strictApp.close();
  await publisher.close();
  await tenants.close();
  await deleteTopics(kafka, [topic]);
});

const event = { event_type: 'order_paid', page_url: 'https://shop.example/checkout' };

function send(url: string, payload: unknown, headers: Record<string, string> = {}, target = app) {
  return target.inject({ method: 'POST', url, headers: { 'content-type': 'application/json', ...headers }, payload: JSON.stringify(payload) });
}

function expectAccepted(res: { statusCode: number; body: string; json: () => { eventId?: string; eventIds?: string[] } }, projectId: string) {
  assert.equal(res.statusCode, 200, res.body);
  const body = res.json();
  for (const id of body.eventIds ?? [body.eventId!]) expected.set(id, projectId);
  return body;
}

function expectRefused(res: { statusCode: number; body: string; json: () => { success: boolean; error: string; errors?: { field: string }[] } }, status: number, error: string, field: string) {
  assert.equal(res.statusCode, status, res.body);
  const body = res.json();
  assert.equal(body.success, false);
  assert.equal(body.error, error, res.body);
  assert.ok(body.errors?.some((e) => e.field === field), `expected ${field} in ${res.body}`);
}

test('server events: the key\'s project; the visitor\'s identity from the body only, never the HTTP client', async () => {
  const key = { 'x-api-key': tenants.shop.ingestKey, 'user-agent': 'curl/8.5.0', 'x-forwarded-for': '198.51.100.1' };
  const res = await send('/api/v1/events', { ...event, user_id: 'u-1', anonymous_id: 'a-1', ip: '2001:db8::1', user_agent: 'Mozilla/5.0 (Visitor)', session_id: 'srv-1' }, key);
  const { eventId } = expectAccepted(res, tenants.shop.project.id);
  const noAgent = expectAccepted(await send('/api/v1/events', { ...event, session_id: 'srv-2' }, key), tenants.shop.project.id);
  const bearer = expectAccepted(await send('/api/v1/events', event, { authorization: `Bearer ${tenants.shop.ingestKey}` }), tenants.shop.project.id);
  const records = await consumeRecords(kafka, topic, expected.size);
  const byId = (id: string) => records.find((r) => r.value.event_id === id)!.value;
  assert.equal(byId(eventId!).user_agent, 'Mozilla/5.0 (Visitor)');
  assert.equal(byId(eventId!).user_id, 'u-1');
  assert.equal(byId(eventId!).anonymous_id, 'a-1');
  assert.equal('ip' in byId(eventId!), false, 'the ip is never written');
  assert.equal(byId(eventId!).visitor_id, 'u:u-1', 'the user id wins');
  assert.equal('user_agent' in byId(noAgent.eventId!), false, 'the request\'s User-Agent is not the visitor\'s');
  assert.equal(byId(noAgent.eventId!).visitor_id, 's:srv-2', 'no ip in the body: the request\'s address is not the visitor\'s either');
  assert.equal(records.find((r) => r.value.event_id === eventId)!.key, `${tenants.shop.project.id}:u:u-1`);
  assert.ok(byId(bearer.eventId!));
});

test('server events: the body cannot choose the project; ip validated; batches of 1,000 judged by item', async () => {
  const key = { 'x-api-key': tenants.shop.ingestKey };
  expectRefused(await send('/api/v1/events', { ...event, project_id: tenants.blog.project.id }, key), 400, 'validation_failed', '/project_id');
  expectRefused(await send('/api/v1/events', { ...event, ip: '999.1.1.1' }, key), 400, 'validation_failed', '/ip');
  expectRefused(await send('/api/v1/events', { ...event, site_id: tenants.blog.project.siteKey }, key), 403, 'project_mismatch', '/site_id');
  const batch = Array.from({ length: 1000 }, (_, i) => (i === 10 ? { ...event, ip: 'nope' } : i === 999 ? { ...event, project_id: tenants.blog.project.id } : { ...event, session_id: `b-${i % 7}` }));
  const body = expectAccepted(await send('/api/v1/events', batch, key), tenants.shop.project.id) as unknown as { accepted: number; errors: { index: number; field: string }[] };
  assert.equal(body.accepted, 998);
  assert.deepEqual(body.errors.map((e) => [e.index, e.field]), [[10, '/10/ip'], [999, '/999/project_id']]);
  expectRefused(await send('/api/v1/events', Array.from({ length: 1001 }, () => event), key), 400, 'validation_failed', '/');
});

test('server events: timestamps kept back to the project\'s retention (backfill), clamped beyond it', async () => {
  const key = { 'x-api-key': tenants.shop.ingestKey };
  const days = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString();
  const within = expectAccepted(await send('/api/v1/events', { ...event, timestamp: days(100) }, key), tenants.shop.project.id);
  const beyond = expectAccepted(await send('/api/v1/events', { ...event, timestamp: days(tenants.shop.project.retentionDays + 2) }, key), tenants.shop.project.id);
  const browser = expectAccepted(await send('/analytics', { ...event, timestamp: days(100) }), DEFAULT_PROJECT_ID);
  const records = await consumeRecords(kafka, topic, expected.size);
  const byId = (id: string) => records.find((r) => r.value.event_id === id)!.value;
  assert.equal(byId(within.eventId!).timestamp_adjustment, undefined);
  assert.equal(byId(beyond.eventId!).timestamp_adjustment, 'clamped_past');
  assert.equal(byId(browser.eventId!).timestamp_adjustment, 'clamped_past', 'browser events keep the 7-day limit');
});

test('keys: 401 missing or unknown or revoked, 403 without the ingest scope, 404 a project the key cannot see', async () => {
  for (const url of ['/api/v1/events', '/webhook']) {
    const body = url === '/webhook' ? { eventType: 'x', metadata: { page: 'https://shop.example/' } } : event;
    expectRefused(await send(url, body), 401, 'missing_api_key', 'X-API-Key');
    expectRefused(await send(url, body, { 'x-api-key': 'sk_unknown' }), 401, 'invalid_api_key', 'X-API-Key');
    expectRefused(await send(url, body, { 'x-api-key': tenants.shop.project.siteKey }), 401, 'invalid_api_key', 'X-API-Key');
    expectRefused(await send(url, body, { 'x-api-key': tenants.shop.readKey }), 403, 'insufficient_scope', 'X-API-Key');
    expectRefused(await send(`${url}?project=${tenants.blog.project.id}`, body, { 'x-api-key': tenants.shop.ingestKey }), 404, 'project_not_found', '?project');
    expectRefused(await send(`${url}?project=${tenants.blog.project.id}`, body, { 'x-api-key': tenants.shop.orgKey }), 404, 'project_not_found', '?project');
    expectRefused(await send(url, body, { 'x-api-key': tenants.shop.orgKey }), 400, 'project_required', '?project');
    expectAccepted(await send(`${url}?project=${tenants.shop.project.id}`, body, { 'x-api-key': tenants.shop.orgKey }), tenants.shop.project.id);
  }
  const res = await send('/api/v1/events', event);
  assert.equal(res.headers['www-authenticate'], 'Bearer');
  const spare = { 'x-api-key': tenants.shop.spareKey };
  expectAccepted(await send('/api/v1/events', event, spare), tenants.shop.project.id);
  await tenants.revoke(tenants.shop.spareKey);
  expectRefused(await send('/api/v1/events', event, spare), 401, 'invalid_api_key', 'X-API-Key');
  expectRefused(await send('/webhook', { eventType: 'x' }, spare), 401, 'invalid_api_key', 'X-API-Key');
});

test('webhook: the design shape, unchanged, lands in the key\'s project; a foreign organizationId is 403', async () => {
  const key = { 'x-api-key': tenants.shop.ingestKey };
  const design = { eventType: 'page_view', userId: 'user123', timestamp: new Date().toISOString(), metadata: { page: '/home', browser: 'Chrome', plan: 'pro' }, organizationId: tenants.shop.project.orgId };
  const { eventId } = expectAccepted(await send('/webhook', design, key), tenants.shop.project.id);
  const foreign = await send('/webhook', { ...design, organizationId: tenants.blog.project.orgId }, key);
  expectRefused(foreign, 403, 'organization_mismatch', '/organizationId');
  assert.equal(foreign.json().message, '/organizationId: is not the organization of the API key');
  expectRefused(await send('/webhook', [design, { ...design, organizationId: 'someone-else' }], key), 403, 'organization_mismatch', '/1/organizationId');
  expectRefused(await send('/webhook', { ...design, eventType: '' }, key), 400, 'validation_failed', '/eventType');
  const records = await consumeRecords(kafka, topic, expected.size);
  const record = records.find((r) => r.value.event_id === eventId)!.value;
  assert.deepEqual(
    { ...record, event_id: undefined, received_at: undefined },
    {
      event_type: 'page_view',
      user_id: 'user123',
      timestamp: design.timestamp,
      page_url: 'https://shop.example/home',
      user_agent: 'Chrome',
      metadata: { plan: 'pro' },
      project_id: tenants.shop.project.id,
      visitor_id: 'u:user123',
      event_id: undefined,
      received_at: undefined,
      // Derived at ingest. A bare browser name is no real user agent: isbot flags it.
      page_path: '/home',
      browser: 'Chrome',
      device_type: 'unknown',
      is_bot: true,
    },
  );
});

test('browser route: the site key picks the project and its origins; unknown keys and missing ones (when required) name /site_id', async () => {
  const shopOrigin = tenants.shop.project.allowedOrigins[0]!;
  const ok = await send('/analytics', { ...event, site_id: tenants.shop.project.siteKey }, { origin: shopOrigin });
  expectAccepted(ok, tenants.shop.project.id);
  assert.equal(ok.headers['access-control-allow-origin'], shopOrigin);
  const foreign = await send('/analytics', { ...event, site_id: tenants.shop.project.siteKey }, { origin: 'http://localhost:8080', 'content-type': 'text/plain' });
  expectRefused(foreign, 403, 'origin_not_allowed', '/site_id');
  assert.equal(foreign.headers['access-control-allow-origin'], 'http://localhost:8080', 'the 403 is readable by the page');
  expectRefused(await send('/analytics', { ...event, site_id: 'pk_not_a_project' }), 400, 'unknown_site_key', '/site_id');
  expectRefused(await send('/analytics', event, {}, strictApp), 400, 'site_key_required', '/site_id');
  expectAccepted(await send('/analytics', { ...event, site_id: tenants.blog.project.siteKey }, {}, strictApp), tenants.blog.project.id);
  expectAccepted(await send('/analytics', event, { origin: 'http://localhost:8080' }), DEFAULT_PROJECT_ID);
  // A batch is judged per item: the unknown site key is refused by index, its sibling accepted.
  const mixed = await send('/analytics', [{ ...event, site_id: tenants.shop.project.siteKey }, { ...event, site_id: 'pk_nope' }]);
  const body = expectAccepted(mixed, tenants.shop.project.id) as unknown as { accepted: number; errors: { field: string }[] };
  assert.equal(body.accepted, 1);
  assert.deepEqual(body.errors.map((e) => e.field), ['/1/site_id']);
});

test('CORS never lets a page send a secret key', async () => {
  const preflight = await app.inject({
    method: 'OPTIONS',
    url: '/api/v1/events',
    headers: { origin: 'http://localhost:8080', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, x-api-key' },
  });
  assert.doesNotMatch(String(preflight.headers['access-control-allow-headers'] ?? ''), /x-api-key|authorization/i);
});

test('per-key rate limit: 429 with Retry-After for the key over its limit, other keys unaffected', async () => {
  const config = testConfig({ kafkaBrokers: KAFKA_BROKER, kafkaTopic: topic, keyRateLimitPerMinute: 2 });
  const limited = await buildApp({ config, publisher, logger: silentLogger, directory: tenants.directory, docs: false });
  try {
    const shop = { 'x-api-key': tenants.shop.ingestKey };
    for (let i = 0; i < 2; i++) expectAccepted(await send('/api/v1/events', event, shop, limited), tenants.shop.project.id);
    const over = await send('/webhook', { eventType: 'x', metadata: { page: '/' } }, shop, limited);
    assert.equal(over.statusCode, 429, over.body);
    assert.equal(over.json().error, 'rate_limited');
    assert.ok(Number(over.headers['retry-after']) > 0, JSON.stringify(over.headers));
    expectAccepted(await send('/api/v1/events', event, { 'x-api-key': tenants.blog.ingestKey }, limited), tenants.blog.project.id);
  } finally {
    await limited.close();
  }
});

test('before the first snapshot of projects and keys: 503 with Retry-After for keys and site keys, default-project events still accepted', async () => {
  const config = testConfig({ kafkaBrokers: KAFKA_BROKER, kafkaTopic: topic });
  let loaded = false;
  const booting = await buildApp({ config, publisher, logger: silentLogger, directory: tenants.directory, directoryReady: () => loaded, docs: false });
  try {
    for (const [url, body, headers] of [
      ['/api/v1/events', event, { 'x-api-key': tenants.shop.ingestKey }],
      ['/webhook', { eventType: 'x' }, { 'x-api-key': tenants.shop.ingestKey }],
      ['/analytics', { ...event, site_id: tenants.shop.project.siteKey }, {}],
    ] as const) {
      const res = await send(url, body, headers, booting);
      assert.equal(res.statusCode, 503, `${url}: ${res.body}`);
      assert.equal(res.json().error, 'projects_unavailable');
      assert.ok(Number(res.headers['retry-after']) > 0);
    }
    expectAccepted(await send('/analytics', event, {}, booting), DEFAULT_PROJECT_ID);
    loaded = true;
    expectAccepted(await send('/api/v1/events', event, { 'x-api-key': tenants.shop.ingestKey }, booting), tenants.shop.project.id);
  } finally {
    await booting.close();
  }
});

test('every accepted event reached Kafka once, in its project, keyed by its project', async () => {
  const records = await consumeRecords(kafka, topic, expected.size);
  assert.equal(records.length, expected.size);
  for (const r of records) {
    const id = String(r.value.event_id);
    assert.equal(r.value.project_id, expected.get(id), `project of ${id}`);
    assert.ok(r.key!.startsWith(`${expected.get(id)}:`), r.key!);
  }
});
