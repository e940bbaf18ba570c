// The admin and sign-in routes against the real PostgreSQL, served by the collector as it runs
// (real Kafka producer): keys and tokens of other organizations and projects get 404 or 403, never
// data; bodies validated as sent (no type conversion, no unstorable text); sign-in, rotation of
// refresh tokens and sign-out; the routes in the OpenAPI document. The
// plugin alone (as the query API will register it) serves the short-lived-token case.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger } from '../../lib/logger.ts';
import { openTenancyDirectory, type OpenTenancyDirectory } from '../../tenancy/directory.ts';
import { generateSecretKey, hashKey, keyHint } from '../../tenancy/keys.ts';
import type { Scope } from '../../tenancy/model.ts';
import { hashPassword } from '../../tenancy/passwords.ts';
import * as store from '../../tenancy/pg-store.ts';
import { createUser, setMembership } from '../../tenancy/user-store.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { buildApp } from '../../collector/src/app.ts';
import type { EventPublisher } from '../../collector/src/events/publisher.ts';
import { silentLogger, testConfig, testPublisher } from '../collector/helpers.ts';
import { buildTenancyTestApp } from './tenancy-app.ts';

const PEPPER = 'admin-api-test-pepper';
let db: TestDatabase;
let directory: OpenTenancyDirectory;
let app: FastifyInstance;
let shortLived: FastifyInstance;
let publisher: EventPublisher;

const ids = {} as Record<'orgA' | 'orgB' | 'a1' | 'a2' | 'b1', string>;
const keys = {} as Record<'orgAdminA' | 'projectAdminA1' | 'ingestA' | 'orgAdminB' | 'projectKeyB1', { raw: string; id: string }>;

async function key(orgId: string, projectId: string | null, scopes: Scope[]) {
  const raw = generateSecretKey();
  const record = await store.createKey(db.pool, orgId, { projectId, keyHash: hashKey(PEPPER, raw), hint: keyHint(raw), name: '', scopes, rateLimitPerMinute: null, expiresAt: null });
  return { raw, id: record.id };
}

before(async () => {
  db = await createTestDatabase();
  ids.orgA = store.DEFAULT_ORG_ID;
  ids.orgB = (await store.ensureOrg(db.pool, 'beta')).id;
  const project = async (orgId: string, name: string) => {
    const r = await store.createProject(db.pool, orgId, { name, siteKey: `pk_${name}_0123456789abcdef`, allowedOrigins: [], timezone: 'UTC', retentionDays: 90 });
    assert.ok(r.ok);
    return r.value.id;
  };
  ids.a1 = await project(ids.orgA, 'a1');
  ids.a2 = await project(ids.orgA, 'a2');
  ids.b1 = await project(ids.orgB, 'b1');
  keys.orgAdminA = await key(ids.orgA, null, ['admin']);
  keys.projectAdminA1 = await key(ids.orgA, ids.a1, ['admin', 'ingest']);
  keys.ingestA = await key(ids.orgA, null, ['ingest', 'read']);
  keys.orgAdminB = await key(ids.orgB, null, ['admin']);
  keys.projectKeyB1 = await key(ids.orgB, ids.b1, ['ingest']);
  const ana = await createUser(db.pool, 'ana@example.com', await hashPassword('ana-passphrase'));
  await setMembership(db.pool, ids.orgA, ana.id, 'admin');
  await setMembership(db.pool, ids.orgB, ana.id, 'viewer');
  const vic = await createUser(db.pool, 'vic@example.com', await hashPassword('vic-passphrase'));
  await setMembership(db.pool, ids.orgA, vic.id, 'viewer');
  directory = openTenancyDirectory({ databaseUrl: db.url, pepper: PEPPER, logger: createLogger('test', 'silent') });
  await directory.ready();
  const config = testConfig({ apiKeyPepper: PEPPER });
  publisher = testPublisher(config);
  app = await buildApp({ config, publisher, logger: silentLogger, directory, tenancyDb: db.pool });
  shortLived = await buildTenancyTestApp({ directory, db: db.pool, pepper: PEPPER, accessTokenTtlSeconds: 1 });
});

after(async () => {
  await app?.close();
  await publisher?.close();
  await shortLived?.close();
  await directory?.close();
  await db?.drop();
});

type Body = Record<string, unknown>;
async function call(method: 'GET' | 'POST' | 'PATCH', url: string, credential?: { raw: string } | string, payload?: unknown) {
  const headers: Record<string, string> = {};
  if (typeof credential === 'string') headers.authorization = `Bearer ${credential}`;
  else if (credential) headers['x-api-key'] = credential.raw;
  const res = await app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as Body }) });
  return { status: res.statusCode, body: res.body === '' ? {} : (res.json() as Body), text: res.body };
}

/** Nothing of organization B (its projects, keys) in an answer. */
function assertNothingOfB(text: string) {
  for (const secret of [ids.b1, keys.orgAdminB.id, keys.projectKeyB1.id, '"b1"', 'beta']) assert.ok(!text.includes(secret), `leaked ${secret}: ${text}`);
}

const projectNames = (body: Body) => (body.projects as Body[]).map((p) => p.name).sort();

test('no credentials, an unknown key or a key without the admin scope: 401 / 403, no data', async () => {
  assert.equal((await call('GET', '/api/v1/admin/projects')).status, 401);
  const unknown = await call('GET', '/api/v1/admin/projects', { raw: generateSecretKey() });
  assert.deepEqual([unknown.status, unknown.body.error], [401, 'invalid_api_key']);
  const noScope = await call('GET', '/api/v1/admin/projects', keys.ingestA);
  assert.deepEqual([noScope.status, noScope.body.error], [403, 'insufficient_scope']);
  const forged = await call('GET', '/api/v1/admin/projects', ['eyJhbGciOiJIUzI1NiJ9', 'eyJzdWIiOiJ4In0', 'c2lnbmF0dXJl'].join('.'));
  assert.deepEqual([forged.status, forged.body.error], [401, 'invalid_token']);
  // Unauthenticated bodies are not even validated (nothing learned about the route's schema).
  assert.equal((await call('POST', '/api/v1/admin/keys', undefined, { nonsense: true })).status, 401);
});

test("an org-wide admin key sees and acts on its organization's projects only", async () => {
  const list = await call('GET', '/api/v1/admin/projects', keys.orgAdminA);
  assert.deepEqual(projectNames(list.body), ['a1', 'a2', 'default']);
  assertNothingOfB(list.text);
  for (const [method, url, payload] of [
    ['GET', `/api/v1/admin/projects/${ids.b1}`, undefined],
    ['GET', `/api/v1/admin/keys?project_id=${ids.b1}`, undefined],
    ['POST', '/api/v1/admin/keys', { project_id: ids.b1, scopes: ['ingest'] }],
    ['POST', `/api/v1/admin/keys/${keys.projectKeyB1.id}/revoke`, undefined],
    ['POST', `/api/v1/admin/keys/${keys.orgAdminB.id}/revoke`, undefined],
    ['POST', '/api/v1/admin/projects', { name: 'intruder', org_id: ids.orgB }],
    ['POST', '/api/v1/admin/keys', { org_id: ids.orgB, scopes: ['admin'] }],
  ] as const) {
    const r = await call(method, url, keys.orgAdminA, payload);
    assert.deepEqual([r.status, r.body.error], [404, 'not_found'], `${method} ${url}`);
    assertNothingOfB(r.text);
  }
  const all = await call('GET', '/api/v1/admin/keys', keys.orgAdminA);
  assert.equal(all.status, 200);
  assertNothingOfB(all.text);
  assert.ok(!all.text.includes(keys.orgAdminA.raw) && !all.text.includes('key_hash'), 'lists never show secrets or hashes');
  // B's keys still work: nothing was revoked or created there.
  assert.ok(directory.verifyKey(keys.projectKeyB1.raw) && directory.verifyKey(keys.orgAdminB.raw));
  const inB = await db.pool.query('SELECT count(*)::int AS n FROM api_keys WHERE org_id = $1', [ids.orgB]);
  assert.equal(inB.rows[0].n, 2);
  const intruder = await db.pool.query(`SELECT count(*)::int AS n FROM projects WHERE name = 'intruder'`);
  assert.equal(intruder.rows[0].n, 0);
});

test('a project admin key: its project only, no new projects or org-wide keys', async () => {
  const list = await call('GET', '/api/v1/admin/projects', keys.projectAdminA1);
  assert.deepEqual(projectNames(list.body), ['a1']);
  assert.equal((await call('GET', `/api/v1/admin/projects/${ids.a2}`, keys.projectAdminA1)).status, 404);
  assert.equal((await call('GET', `/api/v1/admin/keys?project_id=${ids.a2}`, keys.projectAdminA1)).status, 404);
  assert.equal((await call('POST', '/api/v1/admin/keys', keys.projectAdminA1, { project_id: ids.a2, scopes: ['ingest'] })).status, 404);
  assert.equal((await call('POST', '/api/v1/admin/projects', keys.projectAdminA1, { name: 'mine' })).status, 403);
  assert.equal((await call('POST', '/api/v1/admin/keys', keys.projectAdminA1, { scopes: ['ingest'] })).status, 403);
  assert.equal((await call('POST', `/api/v1/admin/keys/${keys.ingestA.id}/revoke`, keys.projectAdminA1)).status, 404, 'an org-wide key is not its to revoke');
  const listed = await call('GET', '/api/v1/admin/keys', keys.projectAdminA1);
  assert.deepEqual((listed.body.keys as Body[]).map((k) => k.project_id), [ids.a1]);
});

test('create a project and a key, use it at once, revoke it: refused at once here', async () => {
  const project = await call('POST', '/api/v1/admin/projects', keys.orgAdminA, { name: 'shop', allowed_origins: ['https://Shop.example'], timezone: 'Europe/Berlin', retention_days: 30 });
  assert.equal(project.status, 201, project.text);
  assert.deepEqual([project.body.org_id, project.body.allowed_origins, project.body.timezone], [ids.orgA, ['https://shop.example'], 'Europe/Berlin']);
  assert.equal(directory.projectBySiteKey(project.body.site_key as string)?.id, project.body.project, 'this process sees the project at once');
  const created = await call('POST', '/api/v1/admin/keys', keys.orgAdminA, { project_id: project.body.project, scopes: ['ingest'], name: 'backend', expires_in_days: 7, rate_limit_per_minute: 60 });
  assert.equal(created.status, 201, created.text);
  const raw = created.body.key as string;
  assert.equal(directory.verifyKey(raw)?.projectId, project.body.project);
  const revoked = await call('POST', `/api/v1/admin/keys/${created.body.id as string}/revoke`, keys.orgAdminA);
  assert.equal(revoked.status, 200);
  assert.ok(!revoked.text.includes(raw));
  assert.equal(directory.verifyKey(raw), undefined);
});

test("visitor_id_mode: set at creation, changed by PATCH within the caller's grants, validated", async () => {
  const made = await call('POST', '/api/v1/admin/projects', keys.orgAdminA, { name: 'news', visitor_id_mode: 'monthly' });
  assert.deepEqual([made.status, made.body.visitor_id_mode], [201, 'monthly'], made.text);
  const id = made.body.project as string;
  const changed = await call('PATCH', `/api/v1/admin/projects/${id}`, keys.orgAdminA, { visitor_id_mode: 'anonymous_id' });
  assert.deepEqual([changed.status, changed.body.visitor_id_mode], [200, 'anonymous_id'], changed.text);
  assert.equal(directory.project(id)?.visitorIdMode, 'anonymous_id', 'this process sees the change at once');
  const invalid = await call('PATCH', `/api/v1/admin/projects/${id}`, keys.orgAdminA, { visitor_id_mode: 'weekly' });
  assert.deepEqual([invalid.status, (invalid.body.errors as Body[])[0]!.field], [400, '/visitor_id_mode']);
  const foreign = await call('PATCH', `/api/v1/admin/projects/${ids.b1}`, keys.orgAdminA, { visitor_id_mode: 'monthly' });
  assert.deepEqual([foreign.status, foreign.body.error], [404, 'not_found']);
  assert.equal((await call('PATCH', `/api/v1/admin/projects/${ids.a2}`, keys.projectAdminA1, { visitor_id_mode: 'monthly' })).status, 404, 'a project admin key: not another project');
  const stored = await db.pool.query('SELECT id, visitor_id_mode FROM projects WHERE id = ANY($1::uuid[]) ORDER BY name', [[ids.b1, ids.a2, id]]);
  assert.deepEqual(stored.rows.map((r) => r.visitor_id_mode).sort(), ['anonymous_id', 'daily', 'daily']);
});

test('invalid input is named: 400 with the field; a taken name is 409', async () => {
  const zone = await call('POST', '/api/v1/admin/projects', keys.orgAdminA, { name: 'z', timezone: 'Mars/Base' });
  assert.deepEqual([zone.status, (zone.body.errors as Body[])[0]!.field], [400, '/timezone']);
  const origin = await call('POST', '/api/v1/admin/projects', keys.orgAdminA, { name: 'z', allowed_origins: ['https://ok.example', 'ftp://x'] });
  assert.deepEqual([origin.status, (origin.body.errors as Body[])[0]!.field], [400, '/allowed_origins/1']);
  const taken = await call('POST', '/api/v1/admin/projects', keys.orgAdminA, { name: 'a1' });
  assert.deepEqual([taken.status, taken.body.error], [409, 'conflict']);
  const scope = await call('POST', '/api/v1/admin/keys', keys.orgAdminA, { scopes: ['write'] });
  assert.deepEqual([scope.status, scope.body.error, (scope.body.errors as Body[])[0]!.field], [400, 'invalid_field', '/scopes/0']);
  const missing = await call('POST', '/api/v1/admin/keys', keys.orgAdminA, { name: 'no scopes' });
  assert.deepEqual([missing.status, (missing.body.errors as Body[])[0]!.field], [400, '/scopes']);
});

test('bodies are taken as sent: a value of another JSON type, an unknown key or text no column holds is a 400 naming the field, and nothing is stored', async () => {
  const counts = async () => (await db.pool.query<{ projects: number; keys: number; mode: string }>(
    `SELECT (SELECT count(*)::int FROM projects) AS projects, (SELECT count(*)::int FROM api_keys) AS keys, (SELECT visitor_id_mode FROM projects WHERE id = $1) AS mode`,
    [ids.a2],
  )).rows[0]!;
  const before = await counts();
  const cases: [method: 'POST' | 'PATCH', url: string, payload: Body, field: string][] = [
    // Fastify's default validator converted most of these (and dropped the unknown key): a 2xx
    // that stored something other than what was sent.
    ['POST', '/api/v1/admin/projects', { name: 'typed-days', retention_days: '365' }, '/retention_days'],
    ['POST', '/api/v1/admin/projects', { name: 12345 }, '/name'],
    ['POST', '/api/v1/admin/projects', { name: 'typed-origins', allowed_origins: 'https://typed.example' }, '/allowed_origins'],
    ['POST', '/api/v1/admin/projects', { name: 'typed-origins', allowed_origins: { 0: 'https://typed.example' } }, '/allowed_origins'],
    ['POST', '/api/v1/admin/projects', { name: 'typed-unknown', colour: 'red' }, '/colour'],
    ['PATCH', `/api/v1/admin/projects/${ids.a2}`, { visitor_id_mode: ['monthly'] }, '/visitor_id_mode'],
    ['POST', '/api/v1/admin/keys', { scopes: 'ingest' }, '/scopes'],
    ['POST', '/api/v1/admin/keys', { scopes: ['ingest'], expires_in_days: '7' }, '/expires_in_days'],
    ['POST', '/api/v1/admin/keys', { scopes: ['ingest'], rate_limit_per_minute: '60' }, '/rate_limit_per_minute'],
    ['POST', '/api/v1/admin/keys', { scopes: ['ingest'], name: 42 }, '/name'],
    ['POST', '/api/v1/admin/keys', { scopes: ['ingest'], name: true }, '/name'],
  ];
  for (const [method, url, payload, field] of cases) {
    const r = await call(method, url, keys.orgAdminA, payload);
    assert.deepEqual([r.status, r.body.error, (r.body.errors as Body[] | undefined)?.[0]?.field], [400, 'invalid_field', field], `${method} ${url} ${JSON.stringify(payload)}: ${r.text}`);
    assert.ok((r.body.message as string).startsWith(`${field}: `), r.text);
  }
  assert.deepEqual(await counts(), before, 'no project or key created, no setting changed');
  // The sign-in routes alike: a number is not a password or a token.
  for (const [url, payload, field] of [
    ['/api/v1/auth/login', { email: 'ana@example.com', password: 12345678 }, '/password'],
    ['/api/v1/auth/refresh', { refresh_token: 1 }, '/refresh_token'],
    ['/api/v1/auth/logout', { refresh_token: ['x'] }, '/refresh_token'],
  ] as const) {
    const r = await call('POST', url, undefined, payload);
    assert.deepEqual([r.status, (r.body.errors as Body[] | undefined)?.[0]?.field], [400, field], `${url}: ${r.text}`);
  }
  // Text no column can hold: a NUL failed the INSERT (500), a lone surrogate was stored replaced.
  for (const [method, url, payload, field, credential] of [
    ['POST', '/api/v1/admin/keys', { scopes: ['ingest'], name: 'a\u0000b' }, '/name', keys.orgAdminA],
    ['POST', '/api/v1/admin/keys', { scopes: ['ingest'], name: 'a\ud800b' }, '/name', keys.orgAdminA],
    ['POST', '/api/v1/admin/projects', { name: 'nul-key', allowed_origins: ['https://ok.example'], ['x\u0000']: 1 }, '/x\u0000', keys.orgAdminA],
    ['POST', '/api/v1/auth/login', { email: 'ana\u0000@example.com', password: 'ana-passphrase' }, '/email', undefined],
  ] as const) {
    const r = await call(method, url, credential, payload);
    assert.deepEqual([r.status, r.body.error, (r.body.errors as Body[] | undefined)?.[0]?.field], [400, 'invalid_field', field], `${url} ${JSON.stringify(payload)}: ${r.text}`);
    assert.match(r.body.message as string, /contains (a NUL character \(U\+0000\)|a lone UTF-16 surrogate)/);
  }
  assert.deepEqual(await counts(), before, 'nothing stored');
  // The same values with their own types are accepted.
  const ok = await call('POST', '/api/v1/admin/projects', keys.orgAdminA, { name: 'typed-days', retention_days: 365, allowed_origins: ['https://typed.example'] });
  assert.deepEqual([ok.status, ok.body.retention_days], [201, 365], ok.text);
});

test('sign-in: wrong password and unknown email alike 401; an admin token acts in its admin org only', async () => {
  for (const payload of [{ email: 'ana@example.com', password: 'wrong-passphrase' }, { email: 'nobody@example.com', password: 'ana-passphrase' }]) {
    const r = await call('POST', '/api/v1/auth/login', undefined, payload);
    assert.deepEqual([r.status, r.body.error, r.body.message], [401, 'invalid_credentials', 'wrong email or password']);
  }
  const session = await call('POST', '/api/v1/auth/login', undefined, { email: 'ANA@example.com', password: 'ana-passphrase' });
  assert.equal(session.status, 200, session.text);
  assert.deepEqual([session.body.token_type, session.body.expires_in], ['Bearer', 900]);
  const token = session.body.access_token as string;
  const projects = await call('GET', '/api/v1/admin/projects', token);
  assert.equal(projects.status, 200);
  assert.ok(projectNames(projects.body).includes('a1'));
  assertNothingOfB(projects.text); // a viewer in B: no admin there
  assert.equal((await call('GET', `/api/v1/admin/projects/${ids.b1}`, token)).status, 404);
  const viewer = await call('POST', '/api/v1/auth/login', undefined, { email: 'vic@example.com', password: 'vic-passphrase' });
  assert.equal((await call('GET', '/api/v1/admin/projects', viewer.body.access_token as string)).status, 403);
  const tampered = token.slice(0, -2) + (token.endsWith('AA') ? 'BB' : 'AA');
  assert.equal((await call('GET', '/api/v1/admin/projects', tampered)).status, 401);
});

test('refresh rotates (a used refresh token is refused); logout ends the session; access tokens expire', async () => {
  const first = await call('POST', '/api/v1/auth/login', undefined, { email: 'ana@example.com', password: 'ana-passphrase' });
  const rotated = await call('POST', '/api/v1/auth/refresh', undefined, { refresh_token: first.body.refresh_token });
  assert.equal(rotated.status, 200);
  assert.notEqual(rotated.body.refresh_token, first.body.refresh_token);
  assert.equal((await call('GET', '/api/v1/admin/projects', rotated.body.access_token as string)).status, 200);
  const reused = await call('POST', '/api/v1/auth/refresh', undefined, { refresh_token: first.body.refresh_token });
  assert.deepEqual([reused.status, reused.body.error], [401, 'invalid_refresh_token']);
  assert.equal((await call('POST', '/api/v1/auth/logout', undefined, { refresh_token: rotated.body.refresh_token })).status, 204);
  assert.equal((await call('POST', '/api/v1/auth/refresh', undefined, { refresh_token: rotated.body.refresh_token })).status, 401);

  const brief = await shortLived.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'ana@example.com', password: 'ana-passphrase' } });
  const auth = { authorization: `Bearer ${brief.json().access_token as string}` };
  assert.equal((await shortLived.inject({ url: '/api/v1/admin/projects', headers: auth })).statusCode, 200);
  await sleep(2100); // JWT expiry has second resolution
  const expired = await shortLived.inject({ url: '/api/v1/admin/projects', headers: auth });
  assert.deepEqual([expired.statusCode, expired.json().error], [401, 'invalid_token']);
});

test('the OpenAPI document lists every admin and sign-in route, the admin ones with their security', async () => {
  const doc = (await app.inject({ url: '/docs/json' })).json() as { paths: Record<string, Record<string, { security?: unknown[] }>>; components: { securitySchemes: Record<string, unknown> } };
  assert.deepEqual(Object.keys(doc.components.securitySchemes).sort(), ['accessToken', 'apiKey', 'bearerKey']);
  const routes = Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ route: `${method.toUpperCase()} ${path}`, security: op.security })));
  const tenancy = routes.filter((r) => /\/api\/v1\/(admin|auth)\//.test(r.route));
  assert.deepEqual(tenancy.map((r) => r.route).sort(), [
    'GET /api/v1/admin/keys',
    'GET /api/v1/admin/projects',
    'GET /api/v1/admin/projects/{projectId}',
    'PATCH /api/v1/admin/projects/{projectId}',
    'POST /api/v1/admin/keys',
    'POST /api/v1/admin/keys/{keyId}/revoke',
    'POST /api/v1/admin/projects',
    'POST /api/v1/auth/login',
    'POST /api/v1/auth/logout',
    'POST /api/v1/auth/refresh',
  ]);
  for (const r of tenancy.filter((t) => t.route.includes('/admin/'))) assert.deepEqual(r.security, [{ apiKey: [] }, { bearerKey: [] }, { accessToken: [] }], r.route);
});

test('an email is one account in either Unicode normal form: created once, signed in with the other form', async () => {
  const composed = 'zo\u00eb@example.com';
  const decomposed = 'zoe\u0308@example.com';
  const first = await createUser(db.pool, decomposed, await hashPassword('zoe-passphrase'));
  assert.equal(first.created, true);
  const again = await createUser(db.pool, composed.toUpperCase(), await hashPassword('other-passphrase'));
  assert.deepEqual(again, { id: first.id, created: false });
  const stored = await db.pool.query('SELECT email FROM users WHERE id = $1', [first.id]);
  assert.equal(stored.rows[0].email, decomposed);
  await setMembership(db.pool, ids.orgA, first.id, 'viewer');
  const session = await call('POST', '/api/v1/auth/login', undefined, { email: composed, password: 'zoe-passphrase' });
  assert.equal(session.status, 200, session.text);
});

test('a Content-Type too long to repeat is a 415 naming it, short', async () => {
  const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': `application/${'x'.repeat(5000)}` }, payload: '{}' });
  assert.equal(res.statusCode, 415, res.body);
  assert.equal(res.json().errors[0].field, 'Content-Type');
  assert.ok(res.body.length < 600, `answer of ${res.body.length} bytes`);
});
