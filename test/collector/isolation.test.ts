// Tenant isolation of the ingest routes: two projects in two organizations, every route called
// with the other project's key, site key and ids → 400/401/403/404, never accepted into the wrong
// project; each project's own events land in it. The routes are read from the app itself: a new
// route without a case here fails this test.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../collector/src/app.ts';
import type { EventPublisher } from '../../collector/src/events/publisher.ts';
import { createTopic, deleteTopics, testKafka } from '../support/kafka.ts';
import { KAFKA_BROKER } from '../support/services.ts';
import { waitFor } from '../support/service-kit.ts';
import { consumeRecords, silentLogger, testConfig, testPublisher } from './helpers.ts';
import { registeredRoutes } from '../support/routes.ts';
import { seedTenants, type Tenant, type Tenants } from './tenants.ts';

let app: FastifyInstance;
let publisher: EventPublisher;
let topic: string;
let tenants: Tenants;
const kafka = await testKafka('collector-isolation-test');

before(async () => {
  topic = await createTopic(kafka, 'test-collector-isolation');
  tenants = await seedTenants();
  const config = testConfig({ kafkaBrokers: KAFKA_BROKER, kafkaTopic: topic });
  publisher = testPublisher(config);
  app = await buildApp({ config, publisher, logger: silentLogger, directory: tenants.directory });
  await waitFor('kafka ready', () => publisher.isReady());
});

after(async () => {
  await app.close();
  await publisher.close();
  await tenants.close();
  await deleteTopics(kafka, [topic]);
});

interface Attempt {
  what: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
  /** NDJSON: the body is one line (the answer is a stream summary, the event_id the line's own). */
  stream?: true;
}

const page = (t: Tenant) => `${t.project.allowedOrigins[0] ?? 'https://example.com'}/p`;
const browserEvent = (t: Tenant) => ({ event_type: 'page_view', page_url: page(t), site_id: t.project.siteKey });
const serverEvent = (t: Tenant) => ({ event_type: 'order_paid', page_url: page(t), user_id: `${t.project.name}-user` });
const webhookEvent = (t: Tenant) => ({ eventType: 'signup', userId: `${t.project.name}-user`, metadata: { page: '/welcome', browser: 'Chrome' }, organizationId: t.project.orgId });

/** Per route: what `own` may send into its project, and how `own` tries to reach `other`'s project. */
const CASES: Record<string, { legit: (own: Tenant) => Attempt; attacks: (own: Tenant, other: Tenant) => Attempt[] }> = {
  'POST /analytics': {
    legit: (own): Attempt => ({ what: 'own site key from own origin', url: '/analytics', headers: { origin: own.project.allowedOrigins[0]! }, body: browserEvent(own) }),
    attacks: (own, other): Attempt[] => [
      { what: "other's site key from own origin", url: '/analytics', headers: { origin: own.project.allowedOrigins[0]! }, body: browserEvent(other) },
      { what: "own site key naming other's project_id", url: '/analytics', headers: {}, body: { ...browserEvent(own), project_id: other.project.id } },
      { what: "a batch with other's site key from own origin", url: '/analytics', headers: { origin: own.project.allowedOrigins[0]! }, body: [browserEvent(other), browserEvent(other)] },
    ],
  },
  'POST /api/v1/events': {
    legit: (own): Attempt => ({ what: 'own key', url: '/api/v1/events', headers: { 'x-api-key': own.ingestKey }, body: serverEvent(own) }),
    attacks: (own, other): Attempt[] => [
      { what: "own key, ?project=other's id", url: `/api/v1/events?project=${other.project.id}`, headers: { 'x-api-key': own.ingestKey }, body: serverEvent(own) },
      { what: "own key, body project_id of other", url: '/api/v1/events', headers: { 'x-api-key': own.ingestKey }, body: { ...serverEvent(own), project_id: other.project.id } },
      { what: "own key, other's site key in site_id", url: '/api/v1/events', headers: { 'x-api-key': own.ingestKey }, body: { ...serverEvent(own), site_id: other.project.siteKey } },
      { what: "other's site key as API key", url: '/api/v1/events', headers: { 'x-api-key': other.project.siteKey }, body: serverEvent(own) },
      { what: 'Bearer, ?project=other', url: `/api/v1/events?project=${other.project.id}`, headers: { authorization: `Bearer ${own.ingestKey}` }, body: serverEvent(own) },
    ],
  },
  'POST /api/v1/events/stream': {
    legit: (own): Attempt => ({ what: 'own key', url: '/api/v1/events/stream', headers: { 'x-api-key': own.ingestKey }, body: { ...serverEvent(own), event_id: randomUUID() }, stream: true }),
    attacks: (own, other): Attempt[] => [
      { what: "own key, ?project=other's id", url: `/api/v1/events/stream?project=${other.project.id}`, headers: { 'x-api-key': own.ingestKey }, body: serverEvent(own), stream: true },
      { what: 'own key, line project_id of other', url: '/api/v1/events/stream', headers: { 'x-api-key': own.ingestKey }, body: { ...serverEvent(own), project_id: other.project.id }, stream: true },
      { what: "own key, other's site key in site_id", url: '/api/v1/events/stream', headers: { 'x-api-key': own.ingestKey }, body: { ...serverEvent(own), site_id: other.project.siteKey }, stream: true },
      { what: "other's site key as API key", url: '/api/v1/events/stream', headers: { 'x-api-key': other.project.siteKey }, body: serverEvent(own), stream: true },
    ],
  },
  'POST /webhook': {
    legit: (own): Attempt => ({ what: 'own key', url: '/webhook', headers: { 'x-api-key': own.ingestKey }, body: webhookEvent(own) }),
    attacks: (own, other): Attempt[] => [
      { what: "own key, other's organizationId", url: '/webhook', headers: { 'x-api-key': own.ingestKey }, body: { ...webhookEvent(own), organizationId: other.project.orgId } },
      { what: "own key, ?project=other's id", url: `/webhook?project=${other.project.id}`, headers: { 'x-api-key': own.ingestKey }, body: webhookEvent(own) },
      { what: "other's site key as API key", url: '/webhook', headers: { 'x-api-key': other.project.siteKey }, body: webhookEvent(other) },
    ],
  },
};

const request = (a: Attempt) => ({
  method: 'POST' as const,
  url: a.url,
  headers: { 'content-type': a.stream ? 'application/x-ndjson' : 'application/json', ...a.headers },
  payload: a.stream ? `${JSON.stringify(a.body)}\n` : JSON.stringify(a.body),
});

/** Routes that take no project data: documentation, health, metrics, CORS preflights. */
const NO_PROJECT_DATA = /^(GET|HEAD) \/(docs($|\/)|health$|metrics$)|^OPTIONS \*$/;

test('every registered route has an isolation case (or takes no project data)', async () => {
  await app.ready();
  const routes = registeredRoutes(app).map((r) => `${r.method} ${r.url}`);
  assert.ok(routes.includes('POST /analytics') && routes.length > 5, routes.join('\n'));
  const uncovered = routes.filter((r) => !(r in CASES) && !NO_PROJECT_DATA.test(r));
  assert.deepEqual(uncovered, [], 'routes without an isolation case');
  for (const r of Object.keys(CASES)) assert.ok(routes.includes(r), `${r} is no longer registered`);
});

test("no route accepts an event into another project; each project's own events land in it", async () => {
  const accepted = new Map<string, string>();
  const pairs: [Tenant, Tenant][] = [
    [tenants.shop, tenants.blog],
    [tenants.blog, tenants.shop],
  ];
  for (const [route, c] of Object.entries(CASES)) {
    for (const [own, other] of pairs) {
      for (const attempt of c.attacks(own, other)) {
        const res = await app.inject(request(attempt));
        const what = `${route} ${own.project.name}: ${attempt.what} → ${res.statusCode} ${res.body}`;
        assert.ok([400, 401, 403, 404].includes(res.statusCode), what);
        assert.equal(res.json().success, false, what);
        assert.ok(!res.body.includes(other.project.name) && !res.body.includes(other.project.orgId), `the answer names the other tenant: ${what}`);
      }
      const legit = c.legit(own);
      const res = await app.inject(request(legit));
      assert.equal(res.statusCode, 200, `${route} ${own.project.name}: ${res.body}`);
      if (legit.stream) assert.equal(res.json().accepted, 1, res.body);
      accepted.set(legit.stream ? String((legit.body as { event_id: string }).event_id) : res.json().eventId, own.project.id);
    }
  }
  // Exactly the legitimate events reached Kafka (one more would be a refused one stored), each in its project.
  const records = await consumeRecords(kafka, topic, accepted.size);
  await assert.rejects(consumeRecords(kafka, topic, accepted.size + 1, 3000), /only \d+ of/);
  assert.equal(records.length, accepted.size);
  for (const r of records) assert.equal(r.value.project_id, accepted.get(String(r.value.event_id)), JSON.stringify(r.value));
});
