// Visitor ids end to end with the real services: two collector apps on one PostgreSQL (their salt
// stores share visitor_salts) and the real directory, publishing to the real broker; every id is
// read back from its Kafka record and checked against the salt of its period in the database.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { buildApp } from '../../collector/src/app.ts';
import type { EventPublisher } from '../../collector/src/events/publisher.ts';
import { saltPeriod, type HashMode } from '../../collector/src/visitors/salt-periods.ts';
import { openSaltStore, type SaltStore } from '../../collector/src/visitors/salt-store.ts';
import { visitorHash } from '#enrichment';
import { createTopic, deleteTopics, testKafka } from '../support/kafka.ts';
import { waitFor } from '../support/service-kit.ts';
import { consumeRecords, silentLogger, testConfig, testPublisher, type ReceivedRecord } from './helpers.ts';
import { seedTenants, type Tenants } from './tenants.ts';

const kafka = await testKafka('collector-visitors-test');
let topic: string;
let tenants: Tenants;
let publisher: EventPublisher;
let db: pg.Pool;
const salts: SaltStore[] = [];
/** Two instances, each with its own salt store on the one database; the third behind a trusted proxy. */
let one: FastifyInstance;
let two: FastifyInstance;
let proxied: FastifyInstance;
let published = 0;

before(async () => {
  topic = await createTopic(kafka, 'test-collector-visitors');
  tenants = await seedTenants();
  db = new pg.Pool({ connectionString: tenants.databaseUrl, max: 2 });
  const config = testConfig({ kafkaTopic: topic, rateLimitMax: 0 });
  publisher = testPublisher(config);
  const app = async (overrides: Partial<typeof config> = {}) => {
    const store = openSaltStore({ databaseUrl: tenants.databaseUrl, logger: silentLogger, refreshIntervalMs: 60_000 });
    salts.push(store);
    return buildApp({ config: { ...config, ...overrides }, publisher, salts: store, directory: tenants.directory, logger: silentLogger, docs: false });
  };
  [one, two, proxied] = [await app(), await app(), await app({ trustProxy: true })];
  await waitFor('kafka ready', () => publisher.isReady());
});

after(async () => {
  await Promise.all([one, two, proxied].map((a) => a.close()));
  await publisher.close();
  await Promise.all(salts.map((s) => s.close()));
  await db.end();
  await tenants.close();
  await deleteTopics(kafka, [topic]);
});

const UA = 'Mozilla/5.0 (X11; Linux x86_64; rv:130.0) Gecko/20100101 Firefox/130.0';
const page = { event_type: 'page_view', page_url: 'https://shop.example/' };

/** A browser event from that address and user agent; the visitor id of its Kafka record. */
async function fromBrowser(app: FastifyInstance, ip: string, ua: string, fields: Record<string, unknown> = {}, project = tenants.shop.project, headers: Record<string, string> = {}): Promise<string> {
  const origin = project.allowedOrigins[0]!;
  const res = await app.inject({
    method: 'POST',
    url: '/analytics',
    remoteAddress: ip,
    headers: { 'content-type': 'application/json', 'user-agent': ua, origin, ...headers },
    payload: JSON.stringify({ ...page, page_url: `${origin}/`, site_id: project.siteKey, ...fields }),
  });
  assert.equal(res.statusCode, 200, res.body);
  return visitorOf((res.json() as { eventId: string }).eventId);
}

/** A server event with the body's fields, sent from an unrelated address and HTTP client. */
async function fromServer(fields: Record<string, unknown>): Promise<string> {
  const res = await one.inject({
    method: 'POST',
    url: '/api/v1/events',
    remoteAddress: '192.0.2.250',
    headers: { 'content-type': 'application/json', 'user-agent': 'node-fetch/1.0', 'x-api-key': tenants.shop.ingestKey, 'x-forwarded-for': '192.0.2.251' },
    payload: JSON.stringify({ ...page, ...fields }),
  });
  assert.equal(res.statusCode, 200, res.body);
  return visitorOf((res.json() as { eventId: string }).eventId);
}

let records: ReceivedRecord[] = [];
async function visitorOf(eventId: string): Promise<string> {
  published += 1;
  records = await consumeRecords(kafka, topic, published);
  const record = records.find((r) => r.value.event_id === eventId);
  assert.ok(record, `record of ${eventId}`);
  const visitor = String(record.value.visitor_id);
  assert.equal(record.key, `${String(record.value.project_id)}:${visitor}`, 'keyed by project and visitor');
  return visitor;
}

/** What the id must be: the hash under the salt the database holds for the period. */
async function expectedHash(mode: HashMode, projectId: string, ip: string, ua: string): Promise<string> {
  const { rows } = await db.query<{ salt: Buffer }>('SELECT salt FROM visitor_salts WHERE period = $1', [saltPeriod(mode, new Date())]);
  assert.equal(rows.length, 1, `one ${mode} salt`);
  return `h:${visitorHash(rows[0]!.salt, projectId, ip, ua)}`;
}

async function setMode(projectName: string, projectId: string, mode: string) {
  await tenants.cli('projects', ['set', projectName, '--visitor-id-mode', mode]);
  await waitFor(`${projectName} in ${mode} mode`, () => tenants.directory.project(projectId)?.visitorIdMode === mode);
}

test('one address and user agent on one day: one visitor, whichever instance; the daily salt of the database', async () => {
  const first = await fromBrowser(one, '203.0.113.7', UA);
  assert.equal(first, await expectedHash('daily', tenants.shop.project.id, '203.0.113.7', UA));
  assert.equal(await fromBrowser(one, '203.0.113.7', UA, { session_id: 'another-tab' }), first, 'a second request, another tab');
  assert.equal(await fromBrowser(two, '203.0.113.7', UA), first, 'another collector instance on the same database');
  assert.equal(await fromBrowser(two, '::ffff:203.0.113.7', UA), first, 'the same address through a dual-stack socket');
  assert.equal(await fromBrowser(proxied, '10.0.0.2', UA, {}, tenants.shop.project, { 'x-forwarded-for': '203.0.113.7' }), first, 'behind a trusted proxy (TRUST_PROXY)');
  const others = [
    await fromBrowser(one, '203.0.113.8', UA),
    await fromBrowser(one, '203.0.113.7', `${UA} Edg/130.0`),
    await fromBrowser(one, '203.0.113.7', UA, {}, tenants.blog.project),
  ];
  assert.equal(new Set([first, ...others]).size, 4, 'another address, another browser, another project: other visitors');
  assert.equal(others[2], await expectedHash('daily', tenants.blog.project.id, '203.0.113.7', UA));
});

test('monthly mode hashes with the month\'s salt', async () => {
  await setMode('blog', tenants.blog.project.id, 'monthly');
  try {
    const id = await fromBrowser(one, '198.51.100.20', UA, {}, tenants.blog.project);
    assert.equal(id, await expectedHash('monthly', tenants.blog.project.id, '198.51.100.20', UA));
    assert.notEqual(id, await expectedHash('daily', tenants.blog.project.id, '198.51.100.20', UA));
    assert.equal(await fromBrowser(two, '198.51.100.20', UA, {}, tenants.blog.project), id);
  } finally {
    await setMode('blog', tenants.blog.project.id, 'daily');
  }
});

test('anonymous_id mode: the tracker\'s persistent id when sent, else the daily hash; other modes ignore it', async () => {
  assert.equal(await fromBrowser(one, '198.51.100.30', UA, { anonymous_id: 'anon-7' }), await expectedHash('daily', tenants.shop.project.id, '198.51.100.30', UA));
  await setMode('shop', tenants.shop.project.id, 'anonymous_id');
  try {
    assert.equal(await fromBrowser(one, '198.51.100.30', UA, { anonymous_id: 'anon-7' }), 'a:anon-7');
    assert.equal(await fromBrowser(two, '198.51.100.31', `${UA} other`, { anonymous_id: 'anon-7' }), 'a:anon-7', 'another address and device, same id');
    assert.equal(await fromBrowser(one, '198.51.100.30', UA), await expectedHash('daily', tenants.shop.project.id, '198.51.100.30', UA));
  } finally {
    await setMode('shop', tenants.shop.project.id, 'daily');
  }
});

test('server events: the user id wins; else the body\'s ip and user agent, never the request\'s', async () => {
  assert.equal(await fromServer({ user_id: 'customer-9', ip: '203.0.113.7', user_agent: UA, anonymous_id: 'x' }), 'u:customer-9');
  const browser = await fromBrowser(one, '203.0.113.7', UA);
  assert.equal(await fromServer({ ip: '203.0.113.7', user_agent: UA }), browser, 'the same person seen by the page and by its backend');
  assert.equal(await fromServer({ ip: '203.0.113.7' }), await expectedHash('daily', tenants.shop.project.id, '203.0.113.7', ''), 'no user agent in the body: none, not the HTTP client\'s');
  assert.equal(await fromServer({ anonymous_id: 'backend-anon', session_id: 's-9' }), 'a:backend-anon', 'no ip in the body: not the request\'s address');
  assert.equal(await fromServer({ session_id: 's-9' }), 's:s-9');
});

test('no address reaches Kafka', () => {
  const text = JSON.stringify(records);
  for (const ip of ['203.0.113', '198.51.100', '192.0.2.25', '10.0.0.2']) assert.ok(!text.includes(ip), `${ip} in a record`);
  assert.ok(records.every((r) => !('ip' in r.value)));
});
