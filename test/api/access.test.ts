// Who may read what, on every route of the query API: no credential → 401; another tenant's key,
// an unknown project and a malformed project id → the same 404 (nothing tells them apart); the
// project's own key without the read scope → 403; its read key, its organization's read key and
// a signed-in viewer of its organization → 200 with its own data. With its own project, another
// tenant's visit, session and user ids show nothing of the first tenant. The routes are read from
// the app: a route added without a case here fails this test. Reports run on a login that cannot
// write.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { registeredRoutes } from '../support/routes.ts';
import { apiBed, enrichedRow, readOnlyUrl, type ApiBed, type Tenant } from './api-bed.ts';

const PREFIX = '/api/v1/projects/:project';
/** Query parameters a route needs besides the common ones. */
const CASES: Record<string, Record<string, string>> = {
  '/events': {},
  '/stats': {},
  '/timeseries': {},
  '/breakdown': { dimension: 'page' },
  '/realtime': {},
  '/visits': {},
  '/visits/:visit_id': {},
  '/sessions/:session_id': {},
  '/users/:user_id/timeline': {},
  '/live/events': {},
  '/live/metrics': {},
  '/paths': { steps: '3' },
  '/saved-funnels': {},
  '/saved-funnels/:funnel_id': {},
};
/** The body of each POST route (reports whose definition does not fit a query string), by `POST <route>`. */
const BODIES: Record<string, Record<string, unknown>> = {
  'POST /funnels': { steps: [{ event_type: 'page_view' }, { event_type: 'button_click' }], window: 'PT1H' },
  'POST /retention': { period: 'day', periods: 2, unit: 'user' },
  'POST /saved-funnels': { name: 'unique per call', steps: [{ event_type: 'page_view' }, { event_type: 'button_click' }] },
};
/** Streams need the live scope (not read) and never end: their first message is read. */
const LIVE = new Set(['/live/events', '/live/metrics']);
const keyOf = (t: Tenant, route: string) => (LIVE.has(route) ? t.liveKey : t.readKey);
/** A GET with its query, a stream's first message, or a POST with its body (`query` joins the body). */
async function call(route: string, url: string, credential?: string, query?: Record<string, string>) {
  if (LIVE.has(route)) return bed.getStream(url, credential, query);
  const body = BODIES[route];
  if (body === undefined) return bed.get(url, credential, query);
  const headers: Record<string, string> = credential === undefined ? {} : credential.startsWith('sk_') ? { 'x-api-key': credential } : { authorization: `Bearer ${credential}` };
  // A saved funnel's name must be new on each call.
  const payload = { ...body, ...('name' in body ? { name: randomUUID() } : {}), ...query };
  const res = await bed.app.inject({ method: 'POST', url, headers, payload });
  return { status: res.statusCode, body: res.json() };
}

let bed: ApiBed;
const seeded = new Map<string, { visitId: string; eventIds: string[]; funnelId: string }>();
const ids = (t: Tenant) => ({ session: `${t.project.name}-session`, user: `${t.project.name}-user` });

before(async () => {
  bed = await apiBed();
  const now = Date.now();
  for (const t of [bed.shop, bed.blog]) {
    const rows = [0, 1, 2].map((i) =>
      enrichedRow({
        project_id: t.project.id,
        timestamp: new Date(now - (3 - i) * 60_000).toISOString(),
        event_type: i === 1 ? 'button_click' : 'page_view',
        button_id: i === 1 ? `${t.project.name}-button` : null,
        page_url: `https://${t.project.name}.example/${t.project.name}-page`,
        session_id: ids(t).session,
        user_id: ids(t).user,
        visitor_id: `u:${ids(t).user}`,
        user_agent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
      }),
    );
    assert.equal(await bed.store(rows), 3);
    const { rows: visit } = await bed.db.pool.query('SELECT visit_id FROM visits WHERE project_id = $1', [t.project.id]);
    assert.equal(visit.length, 1);
    const funnel = await bed.db.pool.query(`INSERT INTO saved_funnels (project_id, name, definition) VALUES ($1, $2, '{"steps":[{"event_type":"page_view"},{"event_type":"button_click"}]}') RETURNING funnel_id::text`, [t.project.id, `${t.project.name}-funnel`]);
    seeded.set(t.project.id, { visitId: visit[0].visit_id, eventIds: rows.map((r) => r.event_id), funnelId: funnel.rows[0].funnel_id });
  }
});

after(() => bed?.close());

/** The route's URL for a project, its path ids taken from `owner`'s data. */
function url(route: string, projectId: string, owner: Tenant): string {
  return `${PREFIX}${route.replace(/^POST /, '')}`
    .replace(':project', projectId)
    .replace(':funnel_id', seeded.get(owner.project.id)!.funnelId)
    .replace(':visit_id', seeded.get(owner.project.id)!.visitId)
    .replace(':session_id', ids(owner).session)
    .replace(':user_id', ids(owner).user);
}

const projectRoutes = () =>
  registeredRoutes(bed.app)
    // POST …/live/token has its own test below.
    .filter((r) => (r.method === 'GET' || (r.method === 'POST' && !r.url.endsWith('/live/token'))) && r.url.startsWith(PREFIX))
    .map((r) => `${r.method === 'POST' ? 'POST ' : ''}${r.url.slice(PREFIX.length)}`);

test('every project route has a case here, and every case is a route', () => {
  const routes = projectRoutes();
  for (const route of routes) assert.ok(route in CASES || route in BODIES, `${route} has no case in test/api/access.test.ts`);
  for (const route of [...Object.keys(CASES), ...Object.keys(BODIES)]) assert.ok(routes.includes(route), `${route} is not served`);
});

test('no credential: 401 on every route', async () => {
  for (const route of projectRoutes()) {
    const res = await call(route, url(route, bed.shop.project.id, bed.shop), undefined, CASES[route]);
    assert.equal(res.status, 401, route);
    assert.equal(res.body.error, 'missing_credentials', route);
  }
});

test('the credential is checked before the parameters and the body: 401 and 404, never a 400 that tells what a route accepts', async () => {
  for (const route of projectRoutes()) {
    // An unknown parameter (a GET's query, a POST's body field): a 400 once the caller may read.
    const bad = { ...CASES[route], not_a_parameter: '1' };
    const anonymous = await call(route, url(route, bed.shop.project.id, bed.shop), undefined, bad);
    assert.equal(anonymous.status, 401, `${route}: ${JSON.stringify(anonymous.body)}`);
    const foreign = await call(route, url(route, bed.shop.project.id, bed.shop), keyOf(bed.blog, route), bad);
    assert.equal(foreign.status, 404, `${route}: ${JSON.stringify(foreign.body)}`);
    if (LIVE.has(route)) continue;
    const own = await call(route, url(route, bed.shop.project.id, bed.shop), keyOf(bed.shop, route), bad);
    assert.equal(own.status, 400, route);
    assert.equal(own.body.errors[0].field, 'not_a_parameter', route);
  }
  // A POST whose body is not even JSON of the right shape.
  for (const route of projectRoutes().filter((r) => r.startsWith('POST '))) {
    const res = await bed.app.inject({ method: 'POST', url: url(route, bed.shop.project.id, bed.shop), payload: { steps: 'none', period: 7 } });
    assert.equal(res.statusCode, 401, route);
  }
});

test('every report answers meta.tz as the zone was named (Asia/Kathmandu, not an alias), sent or the project default', async () => {
  let answered = 0;
  for (const route of projectRoutes().filter((r) => !LIVE.has(r))) {
    for (const [t, query] of [
      [bed.shop, { tz: 'Asia/Kathmandu' }],
      [bed.blog, {}],
    ] as const) {
      const res = await call(route, url(route, t.project.id, t), t.readKey, { ...CASES[route], ...query });
      if (res.status === 400 && res.body.errors?.[0]?.field === 'tz') continue; // routes without a zone
      assert.ok([200, 201, 404].includes(res.status), `${route}: ${JSON.stringify(res.body)}`);
      if (res.body?.meta?.tz === undefined) continue;
      assert.equal(res.body.meta.tz, 'Asia/Kathmandu', route);
      answered += 1;
    }
  }
  // stats, timeseries, breakdown, events, visits, paths, funnels, retention, saved funnels at least.
  assert.ok(answered >= 2 * 9, `only ${answered} answers carried meta.tz`);
});

test('a path id that cannot be one is a 400 naming the parameter; a well-formed unknown one is a 404', async () => {
  for (const [route, parameter] of [
    ['/saved-funnels/:funnel_id', 'funnel_id'],
    ['/visits/:visit_id', 'visit_id'],
  ] as const) {
    const base = url(route, bed.shop.project.id, bed.shop);
    const malformed = await bed.get(base.replace(/[^/]+$/, 'not-a-uuid'), bed.shop.readKey);
    assert.equal(malformed.status, 400, route);
    assert.equal(malformed.body.errors[0].field, parameter, route);
    assert.equal((await bed.get(base.replace(/[^/]+$/, randomUUID()), bed.shop.readKey)).status, 404, route);
  }
});

test("another tenant's key, an unknown project and a malformed id all get the same 404", async () => {
  for (const route of projectRoutes()) {
    const key = keyOf(bed.blog, route);
    const foreign = await call(route, url(route, bed.shop.project.id, bed.shop), key, CASES[route]);
    const unknown = await call(route, url(route, randomUUID(), bed.shop), key, CASES[route]);
    const malformed = await call(route, url(route, 'not-a-project', bed.shop), key, CASES[route]);
    for (const res of [foreign, unknown, malformed]) assert.equal(res.status, 404, `${route}: ${JSON.stringify(res.body)}`);
    assert.deepEqual(foreign.body, unknown.body, route);
    assert.deepEqual(malformed.body, unknown.body, route);
    assert.doesNotMatch(JSON.stringify(foreign.body), /shop/);
  }
});

test("the project's own key without the read scope: 403 insufficient_scope (RFC 6750 § 3.1, as every service says it), naming the scope", async () => {
  for (const route of projectRoutes()) {
    const res = await call(route, url(route, bed.shop.project.id, bed.shop), bed.shop.ingestKey, CASES[route]);
    assert.equal(res.status, 403, route);
    assert.equal(res.body.error, 'insufficient_scope', route);
    assert.match(res.body.message, LIVE.has(route) ? /the live scope/ : /the read scope/, route);
    // Reports and live streams need different scopes.
    const other = await call(route, url(route, bed.shop.project.id, bed.shop), LIVE.has(route) ? bed.shop.readKey : bed.shop.liveKey, CASES[route]);
    assert.deepEqual([other.status, other.body.error], [403, 'insufficient_scope'], route);
  }
});

test("a read key, an organization read key and a viewer's token read their own project", async () => {
  const token = await bed.viewerToken();
  for (const route of projectRoutes()) {
    for (const credential of LIVE.has(route) ? [bed.shop.liveKey, token] : [bed.shop.readKey, bed.shop.orgReadKey, token]) {
      const res = await call(route, url(route, bed.shop.project.id, bed.shop), credential, CASES[route]);
      assert.equal(res.status, route === 'POST /saved-funnels' ? 201 : 200, `${route}: ${JSON.stringify(res.body)}`);
      const text = JSON.stringify(res.body);
      assert.doesNotMatch(text, /blog/, `${route} shows the other tenant`);
      if (LIVE.has(route)) assert.match(res.body, new RegExp(`event: ready\ndata: \\{"project":"${bed.shop.project.id}"`), route);
    }
  }
  // The viewer belongs to acme only.
  const res = await bed.get(url('/stats', bed.blog.project.id, bed.blog), token);
  assert.equal(res.status, 404);
});

test("with its own project, another tenant's visit, session and user ids show nothing of that tenant", async () => {
  const shopData = seeded.get(bed.shop.project.id)!;
  for (const route of projectRoutes()) {
    const res = await call(route, url(route, bed.blog.project.id, bed.shop), keyOf(bed.blog, route), CASES[route]);
    assert.ok([200, 201, 404].includes(res.status), `${route}: ${res.status}`);
    const text = JSON.stringify(res.body);
    for (const id of [shopData.visitId, shopData.funnelId, ...shopData.eventIds]) assert.ok(!text.includes(id), `${route} leaked ${id}`);
    assert.doesNotMatch(text, /shop-(page|button|funnel)/, route);
  }
});

test('POST /live/token: for the live scope on its own project only; a token opens that project\'s streams and no other', async () => {
  const tokenUrl = (project: string) => `${PREFIX}/live/token`.replace(':project', project);
  const post = (project: string, credential?: string) =>
    bed.app.inject({ method: 'POST', url: tokenUrl(project), headers: credential === undefined ? {} : credential.startsWith('sk_') ? { 'x-api-key': credential } : { authorization: `Bearer ${credential}` } });
  assert.equal((await post(bed.shop.project.id)).statusCode, 401);
  const foreign = await post(bed.shop.project.id, bed.blog.liveKey);
  const unknown = await post(randomUUID(), bed.blog.liveKey);
  assert.equal(foreign.statusCode, 404);
  assert.deepEqual(foreign.json(), unknown.json());
  for (const key of [bed.shop.readKey, bed.shop.ingestKey]) assert.equal((await post(bed.shop.project.id, key)).statusCode, 403);
  const tokens: Record<string, string> = {};
  for (const [name, credential] of [['key', bed.shop.liveKey], ['viewer', await bed.viewerToken()], ['blog', bed.blog.liveKey]] as const) {
    const res = await post(name === 'blog' ? bed.blog.project.id : bed.shop.project.id, credential);
    assert.equal(res.statusCode, 200, res.body);
    tokens[name] = res.json().token;
  }
  for (const route of LIVE) {
    const shopUrl = url(route, bed.shop.project.id, bed.shop);
    for (const name of ['key', 'viewer']) assert.equal((await bed.getStream(shopUrl, undefined, { token: tokens[name]! })).status, 200, `${route} ${name}`);
    // Another project's token: as if the project did not exist.
    const crossed = await bed.getStream(shopUrl, undefined, { token: tokens.blog! });
    assert.equal(crossed.status, 404, route);
    assert.deepEqual(crossed.body, (await bed.getStream(url(route, randomUUID(), bed.shop), undefined, { token: tokens.blog! })).body);
    // A key never goes in a URL, valid or not.
    const keyed = await bed.getStream(shopUrl, undefined, { api_key: bed.shop.liveKey });
    assert.equal(keyed.status, 400, route);
    assert.equal(keyed.body.errors[0].field, 'api_key');
  }
  // A stream token opens no report, and an access token is no stream token.
  assert.equal((await bed.get(url('/stats', bed.shop.project.id, bed.shop), tokens.key)).status, 401);
  assert.equal((await bed.getStream(url('/live/events', bed.shop.project.id, bed.shop), undefined, { token: await bed.viewerToken() })).status, 401);
});

test('GET /api/v1/projects lists the projects the caller may read or follow live, never another tenant\'s', async () => {
  const names = async (credential?: string) => {
    const res = await bed.get('/api/v1/projects', credential);
    return res.status === 200 ? (res.body.data as { id: string; name: string }[]).map((p) => p.name) : res.status;
  };
  assert.equal(await names(), 401);
  assert.deepEqual(await names(bed.shop.readKey), ['shop']);
  assert.deepEqual(await names(bed.shop.liveKey), ['shop']);
  assert.deepEqual(await names(bed.blog.readKey), ['blog']);
  assert.deepEqual(await names(await bed.viewerToken()), ['shop']);
  // A key that may neither read nor follow live lists nothing.
  assert.deepEqual(await names(bed.shop.ingestKey), []);
});

test('reports run on a login that can read the events and write nothing', async () => {
  const client = new pg.Client({ connectionString: readOnlyUrl(bed.db.url) });
  await client.connect();
  try {
    assert.ok(Number((await client.query('SELECT count(*) AS n FROM analytics_events')).rows[0].n) > 0);
    // Read-only by the role itself, not only by the service's connection options (migration 017).
    assert.equal((await client.query('SHOW default_transaction_read_only')).rows[0].default_transaction_read_only, 'on');
    await assert.rejects(client.query('CREATE TEMP TABLE scratch (x int)'), (error: { code?: string }) => error.code === '25006');
    // Even a transaction opened read-write can neither write a table nor make a temporary one.
    for (const sql of ['DELETE FROM visits', 'CREATE TEMP TABLE scratch (x int)']) {
      await client.query('BEGIN READ WRITE');
      await assert.rejects(client.query(sql), (error: { code?: string }) => error.code === '42501', sql);
      await client.query('ROLLBACK');
    }
    for (const sql of [
      "DELETE FROM analytics_events",
      "UPDATE visits SET pageviews = 0",
      "INSERT INTO event_counts_15m VALUES (gen_random_uuid(), now(), 'x', '/', false, 0, 1)",
      'SELECT * FROM api_keys',
      'SELECT * FROM visitor_salts',
    ]) {
      await client.query('BEGIN READ WRITE');
      await assert.rejects(client.query(sql), (error: { code?: string }) => error.code === '42501', sql);
      await client.query('ROLLBACK');
    }
  } finally {
    await client.end();
  }
});

test('a NUL character in any filter or path id is a 400 naming it, never a 500', async () => {
  for (const route of projectRoutes()) {
    const nul = { ...CASES[route], user_id: 'a\u0000b' };
    const target = url(route, bed.shop.project.id, bed.shop);
    const withNulFilter = route.startsWith('POST ') ? await call(route, target, bed.shop.readKey, nul) : await bed.get(target, keyOf(bed.shop, route), nul);
    assert.equal(withNulFilter.status, 400, `${route}: ${JSON.stringify(withNulFilter.body)}`);
    assert.equal(withNulFilter.body.errors[0].field, 'user_id', route);
  }
  for (const path of ['/sessions/%00', '/users/a%00/timeline']) {
    const res = await bed.get(`/api/v1/projects/${bed.shop.project.id}${path}`, bed.shop.readKey);
    assert.equal(res.status, 400, `${path}: ${JSON.stringify(res.body)}`);
    assert.match(res.body.errors[0].field, /^(session_id|user_id)$/);
  }
});
