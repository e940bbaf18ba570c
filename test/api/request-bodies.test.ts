// The query API's request bodies and credentials: a body is used or stored exactly as sent, or
// refused with a 4xx naming the field and the reason, on every route that takes one (funnels,
// saved funnels, retention, the sign-in route) — never a 500, never altered. Text PostgreSQL cannot
// hold (NUL, lone surrogates) at any depth, bytes that are not the declared charset, a compressed
// body, keys given twice, values of another JSON type; and two different credentials in one request.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { hashPassword } from '../../tenancy/passwords.ts';
import { createUser, setMembership } from '../../tenancy/user-store.ts';
import { apiBed, type ApiBed } from './api-bed.ts';

let bed: ApiBed;
before(async () => {
  bed = await apiBed();
});
after(() => bed?.close());

const STEPS = [{ event_type: 'page_view' }, { event_type: 'button_click' }];
const project = () => `/api/v1/projects/${bed.shop.project.id}`;

/** POSTs `body` (a JSON text as given, or a Buffer of raw bytes) with the shop's read key. */
async function post(route: string, body: string | Buffer, headers: Record<string, string> = {}) {
  const res = await bed.app.inject({ method: 'POST', url: `${project()}${route}`, headers: { 'x-api-key': bed.shop.readKey, 'content-type': 'application/json', ...headers }, payload: body });
  return { status: res.statusCode, body: res.json() };
}

const savedNames = async () => (await bed.db.pool.query<{ name: string }>('SELECT name FROM saved_funnels WHERE project_id = $1', [bed.shop.project.id])).rows.map((r) => r.name);

test('NUL and lone surrogates anywhere in a body, keys included, are a 400 naming the field on every route that takes a body', async () => {
  const cases: [string, unknown, string][] = [
    ['/funnels', { steps: [{ event_type: 'page_view', metadata: { 'a\u0000': 'x' } }, STEPS[1]] }, 'steps/0/metadata/a\u0000'],
    ['/funnels', { steps: [{ event_type: 'page_view', metadata: { 'a\u0000': 'x' } }, STEPS[1]], order: 'strict' }, 'steps/0/metadata/a\u0000'],
    // A bad key is named itself, escaped as a JSON Pointer segment (README § Error answers).
    ['/funnels', { steps: [{ event_type: 'page_view', metadata: { 'a/b~\u0000': 'x' } }, STEPS[1]] }, 'steps/0/metadata/a~1b~0\u0000'],
    ['/funnels', { steps: [{ event_type: 'page_view', metadata: { a: 'x\udc00' } }, STEPS[1]] }, 'steps/0/metadata/a'],
    ['/funnels', { steps: [{ event_type: '\ud800' }, STEPS[1]] }, 'steps/0/event_type'],
    ['/funnels', { steps: [STEPS[0], { event_type: 'button_click', label: 'x\ud800' }] }, 'steps/1/label'],
    ['/saved-funnels', { name: 'nul label', steps: [{ event_type: 'page_view', label: 'a\u0000' }, STEPS[1]] }, 'steps/0/label'],
    ['/saved-funnels', { name: 'low surrogate', steps: [{ event_type: 'page_view', label: '\udc00' }, STEPS[1]] }, 'steps/0/label'],
    ['/saved-funnels', { name: 'high surrogate key', steps: [{ event_type: 'page_view', metadata: { '\ud800': 'x' } }, STEPS[1]] }, 'steps/0/metadata/\ud800'],
    ['/saved-funnels', { name: 'nul\u0000name', steps: STEPS }, 'name'],
    ['/retention', { start_event: 'sign\ud800up', unit: 'user' }, 'start_event'],
  ];
  for (const [route, body, field] of cases) {
    // JSON.stringify writes NUL and lone surrogates as \u escapes: the text is valid JSON.
    const res = await post(route, JSON.stringify(body));
    assert.equal(res.status, 400, `${route} ${JSON.stringify(body)}: ${JSON.stringify(res.body)}`);
    assert.equal(res.body.error, 'invalid_parameter', route);
    assert.equal(res.body.errors[0].field, field, JSON.stringify(res.body));
    assert.match(res.body.message, /NUL character|lone UTF-16 surrogate/);
    assert.ok(res.body.message.startsWith(`${field}: `), res.body.message);
  }
  assert.deepEqual(await savedNames(), []);
  // The sign-in route is refused the same text, in the tenancy routes' own shape (as on the
  // collector: test/tenancy/hostile-bodies-both-services.test.ts).
  const login = await bed.app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ email: 'a\u0000@example.com', password: 'x\ud800' }) });
  assert.equal(login.statusCode, 400, login.body);
  assert.deepEqual([login.json().error, login.json().errors[0].field], ['invalid_field', '/email']);
});

test('a query string holding NUL or percent-encoding that is not UTF-8 is a 400 naming the parameter', async () => {
  // %ED%A0%80 would be U+D800, which UTF-8 does not allow; %E9 is a Latin-1 é.
  for (const [query, field] of [['page=%00', 'page'], ['user_id=a%ED%A0%80', 'user_id'], ['page=caf%E9', 'page']] as const) {
    const res = await bed.app.inject({ method: 'GET', url: `${project()}/stats?${query}`, headers: { 'x-api-key': bed.shop.readKey } });
    assert.equal(res.statusCode, 400, `${query}: ${res.body}`);
    assert.equal(res.json().errors[0].field, field);
  }
});

test('a body is read in its declared charset or refused: invalid bytes and a compressed body are never stored altered', async () => {
  const latin1 = Buffer.concat([Buffer.from('{"name":"caf'), Buffer.from([0xe9]), Buffer.from(`-latin1","steps":${JSON.stringify(STEPS)}}`)]);
  const asUtf8 = await post('/saved-funnels', latin1);
  assert.equal(asUtf8.status, 400, JSON.stringify(asUtf8.body));
  assert.equal(asUtf8.body.error, 'invalid_encoding');
  assert.equal(asUtf8.body.errors[0].field, 'name');
  assert.match(asUtf8.body.message, /byte 12: 0xe9/);
  assert.deepEqual(await savedNames(), []);

  const declared = await post('/saved-funnels', latin1, { 'content-type': 'application/json; charset=iso-8859-1' });
  assert.equal(declared.status, 201, JSON.stringify(declared.body));
  assert.equal(declared.body.data.name, 'café-latin1');
  assert.deepEqual(await savedNames(), ['café-latin1']);

  const unknown = await post('/funnels', JSON.stringify({ steps: STEPS }), { 'content-type': 'application/json; charset=klingon' });
  assert.equal(unknown.status, 415);
  assert.equal(unknown.body.error, 'unsupported_charset');
  const gzip = await post('/funnels', JSON.stringify({ steps: STEPS }), { 'content-encoding': 'gzip' });
  assert.equal(gzip.status, 415);
  assert.equal(gzip.body.error, 'unsupported_content_encoding');
  // text/plain carries JSON as on the collector.
  assert.equal((await post('/funnels', JSON.stringify({ steps: STEPS }), { 'content-type': 'text/plain' })).status, 200);
});

test('a key given twice is a 400 naming it, never "the last one wins"', async () => {
  const cases: [string, string, string][] = [
    ['/funnels', `{"steps":${JSON.stringify(STEPS)},"window":"PT1H","window":"P2D"}`, 'window'],
    ['/funnels', '{"steps":[{"event_type":"page_view","event_type":"button_click"},{"event_type":"x"}]}', 'steps/0/event_type'],
    ['/retention', '{"unit":"user","period":"day","period":"month"}', 'period'],
    ['/saved-funnels', `{"name":"a","name":"b","steps":${JSON.stringify(STEPS)}}`, 'name'],
  ];
  for (const [route, text, field] of cases) {
    const res = await post(route, text);
    assert.equal(res.status, 400, `${text}: ${JSON.stringify(res.body)}`);
    assert.equal(res.body.error, 'invalid_parameter');
    assert.equal(res.body.errors[0].field, field);
    assert.match(res.body.message, /given twice/);
  }
  assert.ok(!(await savedNames()).includes('b'));
});

test('values are taken as their JSON type: no conversion, and each refusal says what the field must be', async () => {
  const numericWindow = await post('/funnels', JSON.stringify({ steps: STEPS, window: 3600 }));
  assert.equal(numericWindow.status, 400);
  assert.equal(numericWindow.body.errors[0].field, 'window');
  assert.match(numericWindow.body.message, /^window: must be string \(an ISO 8601 duration/);
  for (const window of ['PT', 'P', 'P1DT']) {
    const res = await post('/funnels', JSON.stringify({ steps: STEPS, window }));
    assert.equal(res.status, 400, window);
    assert.match(res.body.message, /is not an ISO 8601 duration/, window);
  }
  for (const [route, body, field] of [
    ['/retention', { unit: 'user', periods: '4' }, 'periods'],
    ['/retention', { unit: 'user', include_bots: 'true' }, 'include_bots'],
    ['/funnels', { steps: STEPS, include_bots: 1 }, 'include_bots'],
    ['/saved-funnels', { name: 'typed', steps: STEPS, include_bots: 'false' }, 'include_bots'],
    ['/saved-funnels', { name: 123, steps: STEPS }, 'name'],
    ['/funnels', { steps: { event_type: 'page_view' } }, 'steps'],
    ['/funnels', { steps: [{ event_type: 'page_view', colour: 'red' }, STEPS[1]] }, 'steps/0/colour'],
    ['/funnels', { steps: [{ event_type: 'page_view', 'a/b': 'red' }, STEPS[1]] }, 'steps/0/a~1b'],
  ] as const) {
    const res = await post(route, JSON.stringify(body));
    assert.equal(res.status, 400, `${route} ${JSON.stringify(body)}: ${JSON.stringify(res.body)}`);
    assert.equal(res.body.errors[0].field, field);
  }
  // Not an object at all: errors[0].field is "body", as for every other invalid parameter.
  for (const [text, type] of [['[1]', 'application/json'], ['null', 'application/json'], ['hello', 'text/plain']]) {
    const res = await post('/funnels', text!, { 'content-type': type! });
    assert.equal(res.status, 400, text);
    assert.equal(res.body.errors[0].field, 'body', `${text}: ${JSON.stringify(res.body)}`);
  }
});

test('a metadata key that could reach a prototype is refused by name, as the collector refuses it in events', async () => {
  for (const key of ['__proto__', 'constructor']) {
    const res = await post('/funnels', `{"steps":[{"event_type":"page_view","metadata":{"${key}":"x"}},{"event_type":"button_click"}]}`);
    assert.equal(res.status, 400, JSON.stringify(res.body));
    assert.equal(res.body.error, 'invalid_parameter');
    assert.equal(res.body.errors[0].field, `steps/0/metadata/${key}`);
    assert.match(res.body.message, new RegExp(`key "${key}" is not allowed`));
  }
});

test('a body over the limit is a 413 payload_too_large', async () => {
  const res = await post('/funnels', JSON.stringify({ steps: STEPS, padding: 'x'.repeat(3 * 1024 * 1024) }));
  assert.equal(res.status, 413);
  assert.equal(res.body.error, 'payload_too_large');
});

test('two different credentials in one request are a 400 conflicting_api_keys, whichever would be valid; one key in both headers is accepted', async () => {
  const stats = (headers: Record<string, string>) => bed.app.inject({ method: 'GET', url: `${project()}/stats`, headers });
  for (const headers of [
    { 'x-api-key': bed.shop.readKey, authorization: `Bearer ${bed.blog.readKey}` },
    { 'x-api-key': bed.blog.readKey, authorization: `Bearer ${bed.shop.readKey}` },
    { 'x-api-key': bed.shop.readKey, authorization: `Bearer ${await bed.viewerToken()}` },
  ]) {
    const res = await stats(headers);
    assert.equal(res.statusCode, 400, res.body);
    assert.equal(res.json().error, 'conflicting_api_keys');
    assert.equal(res.json().errors[0].field, 'X-API-Key');
  }
  assert.equal((await stats({ 'x-api-key': bed.shop.readKey, authorization: `Bearer ${bed.shop.readKey}` })).statusCode, 200);
  const list = await bed.app.inject({ method: 'GET', url: '/api/v1/projects', headers: { 'x-api-key': bed.shop.readKey, authorization: `Bearer ${bed.blog.readKey}` } });
  assert.equal(list.statusCode, 400);
});

test('sign-in here finds an account by its email in the other Unicode normal form', async () => {
  const user = await createUser(bed.db.pool, 'ren\u00e9@acme.example', await hashPassword('rene-passphrase'));
  await setMembership(bed.db.pool, bed.shop.project.orgId, user.id, 'viewer');
  const res = await bed.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'rene\u0301@acme.example', password: 'rene-passphrase' } });
  assert.equal(res.statusCode, 200, res.body);
});
